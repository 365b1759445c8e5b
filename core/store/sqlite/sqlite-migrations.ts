import type { Database } from 'better-sqlite3';
import { FLOWS_MIGRATION_SQL, registerFlowFunctions, widenStatusCheck } from './flows-schema.js';

export interface SqliteMigration {
  /** Applied in ascending order; never renumber or edit one that has shipped: add a new one. */
  version: number;
  name: string;
  sql: string;
  /** What plain SQL cannot say, run before `sql` in the same transaction. */
  before?: (db: Database) => void;
}

export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'create jobs',
    sql: `
      CREATE TABLE jobs (
        id               INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: a cleaned job's id is never handed out again
        service          TEXT    NOT NULL,
        task             TEXT    NOT NULL,
        input            TEXT    NOT NULL,                  -- JSON
        status           TEXT    NOT NULL CHECK (status IN
                           ('queued', 'processing', 'cancelled', 'error', 'completed', 'delayed', 'cronjob', 'start later')),
        result           TEXT,                              -- JSON, NULL when unset
        error            TEXT,
        error_stack      TEXT,
        attempts         INTEGER NOT NULL DEFAULT 0,
        max_attempts     INTEGER NOT NULL,
        created          INTEGER NOT NULL,
        started          INTEGER,
        completed        INTEGER,
        run_at           INTEGER NOT NULL,
        schedule         TEXT,                              -- JSON
        progress         REAL,
        progress_message TEXT,
        locked_by        TEXT,
        locked_until     INTEGER,
        cancel_requested INTEGER NOT NULL DEFAULT 0
      ); -- not STRICT: a fractional time (a retry backoff with jitter) must be stored, not refused

      -- claim, hasWaiting, nextRunAt: the due jobs of one service in (run_at, id) order.
      CREATE INDEX jobs_due ON jobs (service, run_at, id) WHERE status IN ('queued', 'delayed', 'cronjob');
      -- listing per service, paged by id (the id is the rowid: this is an index on service alone).
      CREATE INDEX jobs_service ON jobs (service);
      -- listing, counting and cleaning per service, by status or by task, paged by id.
      CREATE INDEX jobs_service_status ON jobs (service, status, id);
      CREATE INDEX jobs_service_task ON jobs (service, task, id);
      -- lease recovery and renewal look only at leased jobs, which are few.
      CREATE INDEX jobs_leased ON jobs (locked_until) WHERE locked_by IS NOT NULL;
    `,
  },
  {
    version: 2,
    name: 'job timeout',
    sql: `
      -- A time limit for each run of the job (ms); NULL: none of its own. Existing jobs get NULL.
      ALTER TABLE jobs ADD COLUMN timeout_ms INTEGER;
    `,
  },
  {
    version: 3,
    name: 'process registry and fleet-wide pauses',
    sql: `
      -- The services paused for every process: no process claims their jobs.
      CREATE TABLE paused_services (
        service TEXT PRIMARY KEY,
        since   INTEGER NOT NULL
      ) STRICT;
      -- The processes serving this file's services (one: the file is served by one process),
      -- each with its last heartbeat as JSON (see core/store/process-registry.ts).
      CREATE TABLE processes (
        id   TEXT PRIMARY KEY,
        beat TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'job priority and key',
    sql: `
      -- Lower runs first, 0 by default. The claim index leads with the priority, in the order the
      -- claim reads it (priority, then first come first served): still one ordered index walk.
      ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
      DROP INDEX jobs_due;
      CREATE INDEX jobs_due ON jobs (service, priority, run_at, id) WHERE status IN ('queued', 'delayed', 'cronjob');
      -- A key unique within the service while the job holds it (see core/store/key-rules.ts).
      ALTER TABLE jobs ADD COLUMN job_key TEXT;
      ALTER TABLE jobs ADD COLUMN key_scope TEXT CHECK (key_scope IN ('waiting', 'running', 'finished', 'expired'));
      ALTER TABLE jobs ADD COLUMN key_period_ms INTEGER;
      CREATE UNIQUE INDEX jobs_key ON jobs (service, job_key)
        WHERE job_key IS NOT NULL AND ((key_scope = 'waiting' AND (status = 'cronjob' OR (status IN ('queued', 'start later', 'delayed') AND started IS NULL))) OR (key_scope = 'running' AND status NOT IN ('completed', 'error', 'cancelled')) OR key_scope = 'finished');
    `,
  },
  {
    version: 5,
    name: 'attempt history',
    sql: `
      -- One row per run that ended (see core/store/attempt-rules.ts): at most 25 per job, the
      -- error and stack capped. n numbers a job's runs (1, 2, …). WITHOUT ROWID: the rows live in
      -- the primary key's b-tree, by job, so a run writes one b-tree, not a table and an index.
      CREATE TABLE job_attempts (
        job_id      INTEGER NOT NULL,
        n           INTEGER NOT NULL,
        attempt     INTEGER NOT NULL,
        started     INTEGER,
        ended       INTEGER NOT NULL,
        worker_id   TEXT    NOT NULL,
        outcome     TEXT    NOT NULL,
        error       TEXT,
        error_stack TEXT,
        PRIMARY KEY (job_id, n)
      ) WITHOUT ROWID;
      -- A job removed (clean, retention, whoever) takes its history with it.
      CREATE TRIGGER jobs_attempts_removed AFTER DELETE ON jobs BEGIN
        DELETE FROM job_attempts WHERE job_id = old.id;
      END;
    `,
  },
  {
    version: 6,
    name: 'finished jobs by end time',
    sql: `
      -- Retention removes a service's finished jobs of one status oldest end first (and the
      -- dashboard counts completions per minute) through this index; id last makes every position
      -- unique. Only finished jobs have an entry: one more index write per finished job.
      CREATE INDEX jobs_finished ON jobs (service, status, completed, id) WHERE status IN ('completed', 'error', 'cancelled');
    `,
  },
  {
    version: 7,
    name: 'limits and serial queues',
    sql: `
      -- The limit or serial queue a job passes before it runs (core/store/gate-rules.ts); NULL for
      -- plain jobs. The claim index leaves gated jobs out, so a limit that holds many back never
      -- slows the claim of the others; the gate rules read each gate through three indexes that
      -- plain jobs have no entry in: its waiting jobs, its running ones, its queue's head.
      ALTER TABLE jobs ADD COLUMN gate TEXT;
      DROP INDEX jobs_due;
      CREATE INDEX jobs_due ON jobs (service, priority, run_at, id) WHERE status IN ('queued', 'delayed', 'cronjob') AND gate IS NULL;
      CREATE INDEX jobs_gate_waiting ON jobs (service, gate, run_at, id)
        WHERE status IN ('queued', 'delayed', 'cronjob') AND locked_by IS NULL AND gate IS NOT NULL;
      CREATE INDEX jobs_gate_running ON jobs (service, gate) WHERE gate IS NOT NULL AND locked_by IS NOT NULL;
      CREATE INDEX jobs_gate_queue ON jobs (service, gate, id) WHERE gate IS NOT NULL AND status IN ('queued', 'delayed', 'processing');
    `,
  },
  {
    version: 8,
    name: 'job dependencies and batches',
    before: widenStatusCheck,
    sql: FLOWS_MIGRATION_SQL,
  },
  {
    version: 9,
    name: 'a process told to drain',
    // Set by an operator, read back by the process's own beats (see core/store/process-registry.ts).
    sql: `
      ALTER TABLE processes ADD COLUMN draining INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 10,
    name: 'claim index by task',
    // A claim limited to some tasks (an agent's) probes this per task, reading no job of another
    // task. Costs one more index entry per waiting job, written at insert and removed at claim.
    sql: `
      CREATE INDEX jobs_task_due ON jobs (service, task, priority, run_at, id) WHERE status IN ('queued', 'delayed', 'cronjob') AND gate IS NULL;
    `,
  },
  {
    version: 11,
    name: 'a completed run in its job row',
    // The worker that completed a job: its last attempt is then read from the job's own row
    // (attempts, started, completed, finished_by), so a job that completes writes no job_attempts
    // entry, the common case's one b-tree insert fewer (see core/store/attempt-rules.ts).
    sql: `
      ALTER TABLE jobs ADD COLUMN finished_by TEXT;
    `,
  },
  {
    version: 12,
    name: 'gate indexes by kind',
    // A limit reads its running jobs, a serial queue its head: each kind's index holds only its own
    // jobs (see core/store/sqlite/gates.ts), so a limited job no longer writes a queue entry at
    // add, claim and finish. The queries repeat these predicates word for word.
    sql: `
      DROP INDEX jobs_gate_running;
      DROP INDEX jobs_gate_queue;
      -- gate IS NOT NULL first: a plain job's insert and updates stop at it (no function call).
      CREATE INDEX jobs_gate_running ON jobs (service, gate) WHERE gate IS NOT NULL AND locked_by IS NOT NULL AND substr(gate, 1, 9) = '["limit",';
      CREATE INDEX jobs_gate_queue ON jobs (service, gate, id) WHERE gate IS NOT NULL AND status IN ('queued', 'delayed', 'processing') AND substr(gate, 1, 9) = '["queue",';
    `,
  },
  {
    version: 13,
    name: 'flow changes announced',
    // A blocked job that its parents' end released or cancelled (the jobs_parent_ended trigger,
    // the only writer that lowers parents_left) is reported to the store's subscribers
    // (JobStore.onFlowChanged): no process made that transition, so no one else would say it.
    sql: `
      CREATE TRIGGER jobs_flow_changed AFTER UPDATE OF status ON jobs
      WHEN OLD.status = 'blocked' AND NEW.status IN ('queued', 'cancelled') AND NEW.parents_left < OLD.parents_left
      BEGIN
        SELECT remotetask_flow_changed(NEW.id, NEW.service, NEW.task, NEW.status, NEW.completed, NEW.error);
      END;
    `,
  },
  {
    version: 14,
    name: 'key index off the claim path',
    // The unique index of keys was over the holders (the rule of core/store/key-rules.ts as its
    // predicate): every claim of a keyed job removed an entry. It is now over held_key, which a job
    // keeps from taking its key until another job takes it (see held-keys.ts): claims, finishes
    // and cancels no longer write it. Today's holders take their keys.
    sql: `
      ALTER TABLE jobs ADD COLUMN held_key TEXT;
      UPDATE jobs SET held_key = job_key
      WHERE job_key IS NOT NULL AND ((key_scope = 'waiting' AND (status = 'cronjob' OR (status IN ('queued', 'start later', 'delayed') AND started IS NULL))) OR (key_scope = 'running' AND status NOT IN ('completed', 'error', 'cancelled')) OR key_scope = 'finished');
      DROP INDEX jobs_key;
      CREATE UNIQUE INDEX jobs_held_key ON jobs (service, held_key) WHERE held_key IS NOT NULL;
    `,
  },
  {
    version: 15,
    name: 'status index without running and completed jobs',
    // As PostgreSQL's migrations 3 and 4: the (service, status, id) index leaves out running jobs
    // (the lease index holds them) and completed ones (most of the table; a listing reads them in
    // id order from the service index, a count from completed_counts). A claim then writes no
    // entry there, a completion none either: jobs finished in another order than their ids (by
    // priority, say) no longer insert into the middle of that index.
    sql: `
      DROP INDEX jobs_service_status;
      CREATE INDEX jobs_service_status ON jobs (service, status, id) WHERE status NOT IN ('processing', 'completed');
      CREATE TABLE completed_counts (
        service TEXT PRIMARY KEY,
        count   INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      INSERT INTO completed_counts (service, count) SELECT service, count(*) FROM jobs WHERE status = 'completed' GROUP BY service;
    `,
  },
  {
    version: 16,
    name: 'one claim index',
    // The (service, priority, run_at, id) index duplicated the task index (service, task,
    // priority, run_at, id) but for the task. Claims of any task now read each task's due jobs
    // from the task index (claim-of-tasks.ts, waiting-tasks.ts): an add writes one index entry
    // less, a claim deletes one less.
    sql: `
      DROP INDEX jobs_due;
    `,
  },
  {
    version: 17,
    name: 'no service index beside the task index',
    // (service) is the leading column of (service, task, id). Listings of a service in id order
    // read the task index one task at a time and merge the pages (list.ts): every add writes one
    // index entry less, and its commit one page less.
    sql: `
      DROP INDEX jobs_service;
    `,
  },
];

/**
 * Brings the database up to the newest schema this code knows, all pending migrations in one
 * transaction. Refuses a database that a newer remotetask has migrated past this code.
 * Returns the versions it applied.
 */
export function migrateSqlite(db: Database, file: string, migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS): number[] {
  // The schema's triggers call it: every connection that opens the schema has it.
  registerFlowFunctions(db, () => undefined, () => undefined);
  const apply = db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT    NOT NULL,
      applied_at INTEGER NOT NULL
    ) STRICT`);
    const current = (db.prepare('SELECT max(version) AS version FROM schema_migrations').get() as { version: number | null })
      .version ?? 0;
    const latest = migrations.reduce((max, migration) => Math.max(max, migration.version), 0);
    if (current > latest) {
      throw new Error(
        `the SQLite database ${file} has schema version ${current}, but this remotetask knows versions up to ${latest}: ` +
          'a newer remotetask migrated it; run that version (or newer) instead',
      );
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      migration.before?.(db);
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
      applied.push(migration.version);
    }
    return applied;
  });
  return apply.immediate();
}
