import type { Database } from 'better-sqlite3';
import type { FlowChange } from '../flow-change-hub.js';

// The SQLite schema of job dependencies and batches (migration 8), by the rules of
// core/store/job-flows.ts. The release of a job's children is a trigger: it runs in the statement
// that ends the parent, whichever that is (finish, cancel, cancelAll, a lost lease), and cascades
// through PRAGMA recursive_triggers (set when the database opens).

/** The function the trigger calls with the service of a parent whose children may have been released. */
export const RELEASED_FUNCTION = 'remotetask_released';

/** The function the trigger of migration 13 calls with each blocked job its parents' end released or cancelled. */
export const FLOW_CHANGED_FUNCTION = 'remotetask_flow_changed';

/**
 * Registers the triggers' functions on a connection; `released` hears each service whose jobs may
 * be due now, `flowChanged` each job released or cancelled (time: when; null for now).
 */
export function registerFlowFunctions(
  db: Database,
  released: (service: string) => void,
  flowChanged: (change: Omit<FlowChange, 'time'> & { time: number | null }) => void,
): void {
  db.function(RELEASED_FUNCTION, { deterministic: false, varargs: false }, (service: unknown) => {
    if (typeof service === 'string') released(service);
    return null;
  });
  db.function(FLOW_CHANGED_FUNCTION, { deterministic: false, varargs: false }, (id: unknown, service: unknown, task: unknown, status: unknown, time: unknown, error: unknown) => {
    if (typeof id !== 'number' && typeof id !== 'bigint') return null;
    if (typeof service !== 'string' || typeof task !== 'string' || (status !== 'queued' && status !== 'cancelled')) return null;
    flowChanged({ jobId: Number(id), service, task, status, time: typeof time === 'number' ? time : null, error: typeof error === 'string' ? error : null });
    return null;
  });
}

const ENDED = `('completed', 'error', 'cancelled')`;
/** A child cancelled by its parent's failure (the SQL of parentFailedError). */
const CANCELS = `(NEW.status <> 'completed' AND on_parent_failure = 'cancel')`;

export const FLOWS_MIGRATION_SQL = `
  ALTER TABLE jobs ADD COLUMN batch_id INTEGER;
  -- NULL: no parents; else how many have not ended.
  ALTER TABLE jobs ADD COLUMN parents_left INTEGER;
  ALTER TABLE jobs ADD COLUMN on_parent_failure TEXT CHECK (on_parent_failure IN ('cancel', 'run'));
  -- Only the end of a job that has children fires the trigger's body.
  ALTER TABLE jobs ADD COLUMN has_children INTEGER NOT NULL DEFAULT 0;
  -- One row per (child, parent); counted once the child has counted the parent's end.
  CREATE TABLE job_parents (
    child_id  INTEGER NOT NULL,
    parent_id INTEGER NOT NULL,
    counted   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (child_id, parent_id)
  ) WITHOUT ROWID;
  CREATE INDEX job_parents_parent ON job_parents (parent_id, child_id);
  CREATE TABLE batches (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    service     TEXT    NOT NULL,
    callback_id INTEGER NOT NULL,
    size        INTEGER NOT NULL,
    created     INTEGER NOT NULL
  );
  -- A batch's counts: its members by status.
  CREATE INDEX jobs_batch ON jobs (batch_id, status) WHERE batch_id IS NOT NULL;

  CREATE TRIGGER jobs_parent_ended AFTER UPDATE OF status ON jobs
  WHEN NEW.has_children AND NEW.status IN ${ENDED} AND OLD.status NOT IN ${ENDED}
  BEGIN
    UPDATE jobs SET
      parents_left = parents_left - 1,
      status = CASE WHEN ${CANCELS} THEN 'cancelled' WHEN parents_left = 1 THEN 'queued' ELSE status END,
      run_at = CASE WHEN ${CANCELS} THEN run_at WHEN parents_left = 1 THEN 0 ELSE run_at END,
      error = CASE WHEN ${CANCELS} THEN 'cancelled: its parent job ' || NEW.id || ' ended ' || NEW.status ELSE error END,
      completed = CASE WHEN ${CANCELS} THEN NEW.completed ELSE completed END
    WHERE status = 'blocked' AND id IN (SELECT child_id FROM job_parents WHERE parent_id = NEW.id AND counted = 0);
    UPDATE job_parents SET counted = 1 WHERE parent_id = NEW.id AND counted = 0;
    SELECT ${RELEASED_FUNCTION}(NEW.service);
  END;

  CREATE TRIGGER jobs_flow_removed AFTER DELETE ON jobs
  WHEN OLD.has_children OR OLD.parents_left IS NOT NULL OR OLD.batch_id IS NOT NULL
  BEGIN
    DELETE FROM job_parents WHERE child_id = OLD.id;
    DELETE FROM job_parents WHERE parent_id = OLD.id;
    DELETE FROM batches WHERE id = OLD.batch_id AND callback_id = OLD.id;
  END;
`;

/**
 * Lets the jobs table's status CHECK take 'blocked'. SQLite cannot alter a CHECK; loosening one
 * changes nothing on disk, so the documented way is to edit the table's SQL in the schema and bump
 * the schema version (https://sqlite.org/lang_altertable.html#otheralter, "writable_schema").
 */
export function widenStatusCheck(db: Database): void {
  const before = `'cronjob', 'start later')`;
  const table = db.prepare(`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'jobs'`).get() as { sql: string };
  if (!table.sql.includes(before)) throw new Error(`the jobs table's status CHECK is not the one migration 8 knows: ${table.sql}`);
  const version = db.pragma('schema_version', { simple: true }) as number;
  db.unsafeMode(true);
  try {
    db.pragma('writable_schema = ON');
    db.prepare(`UPDATE sqlite_schema SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = 'jobs'`).run(before, `'cronjob', 'start later', 'blocked')`);
    db.pragma(`schema_version = ${version + 1}`);
    db.pragma('writable_schema = OFF');
  } finally {
    db.unsafeMode(false);
  }
}
