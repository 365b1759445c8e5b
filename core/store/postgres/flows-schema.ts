// The PostgreSQL schema of job dependencies and batches (migration 10), by the rules of
// core/store/job-flows.ts. The release of a job's children is a trigger: it runs in the transaction
// that ends the parent, whichever statement that is (finish, cancel, cancelAll, a lost lease), and
// cascades (the children it cancels fire it in turn). Its WHEN clause lets only the end of a job
// that has children through: every other job pays one check of the row, no query.
import { RELEASED_CHANNEL } from './channels.js';

const ENDED = `('completed', 'error', 'cancelled')`;

/**
 * The trigger's statement, its data-modifying part: the parent's edges counted, its blocked
 * children released or cancelled. Exported so that a test can read its plan (an index probe per
 * edge and per child, whatever the tables' size).
 */
export function releaseChildrenSql(s: string, parent: { id: string; status: string; completed: string }): string {
  const cancels = `(${parent.status} <> 'completed' AND c.on_parent_failure = 'cancel')`;
  return `WITH edges AS (
      UPDATE ${s}.job_parents SET counted = true WHERE parent_id = ${parent.id} AND NOT counted RETURNING child_id
    ), changed AS (
      UPDATE ${s}.jobs c SET
        parents_left = c.parents_left - 1,
        status = CASE WHEN ${cancels} THEN 'cancelled' WHEN c.parents_left = 1 THEN 'queued' ELSE c.status END,
        run_at = CASE WHEN ${cancels} THEN c.run_at WHEN c.parents_left = 1 THEN 0 ELSE c.run_at END,
        error = CASE WHEN ${cancels} THEN format('cancelled: its parent job %s ended %s', ${parent.id}, ${parent.status}) ELSE c.error END,
        completed = CASE WHEN ${cancels} THEN ${parent.completed} ELSE c.completed END
      FROM edges e WHERE c.id = e.child_id AND c.status = 'blocked'
      RETURNING c.service, c.status
    )`;
}

export const flowsMigrationSql = (s: string) => `
  -- Loosening a CHECK: NOT VALID skips the scan of the table, every row passes the wider one.
  ALTER TABLE ${s}.jobs DROP CONSTRAINT jobs_status_check;
  ALTER TABLE ${s}.jobs ADD CONSTRAINT jobs_status_check CHECK (status IN
    ('queued', 'processing', 'cancelled', 'error', 'completed', 'delayed', 'cronjob', 'start later', 'blocked')) NOT VALID;
  ALTER TABLE ${s}.jobs
    ADD COLUMN batch_id bigint,
    -- NULL: no parents; else how many have not ended.
    ADD COLUMN parents_left integer,
    ADD COLUMN on_parent_failure text CHECK (on_parent_failure IN ('cancel', 'run')),
    ADD COLUMN has_children boolean NOT NULL DEFAULT false;
  -- One row per (child, parent); counted once the child has counted the parent's end.
  CREATE TABLE ${s}.job_parents (
    child_id  bigint NOT NULL,
    parent_id bigint NOT NULL,
    counted   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (child_id, parent_id)
  );
  CREATE INDEX job_parents_parent_idx ON ${s}.job_parents (parent_id, child_id);
  CREATE TABLE ${s}.batches (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service     text COLLATE "C" NOT NULL,
    callback_id bigint NOT NULL,
    size        integer NOT NULL,
    created     bigint NOT NULL
  );
  -- A batch's counts: its members by status.
  CREATE INDEX jobs_batch_idx ON ${s}.jobs (batch_id, status) WHERE batch_id IS NOT NULL;

  CREATE FUNCTION ${s}.parent_ended() RETURNS trigger LANGUAGE plpgsql AS $body$
  DECLARE
    woken integer;
  BEGIN
    -- Each edge counts once: a parent retried and ended again is not counted twice.
    ${releaseChildrenSql(s, { id: 'NEW.id', status: 'NEW.status', completed: 'NEW.completed' })}
    SELECT count(*) INTO woken
    FROM (SELECT pg_notify('${RELEASED_CHANNEL}', w.service) FROM (SELECT DISTINCT service FROM changed WHERE status = 'queued') w) n;
    RETURN NULL;
  END
  $body$;
  CREATE TRIGGER jobs_parent_ended AFTER UPDATE OF status ON ${s}.jobs FOR EACH ROW
    WHEN (NEW.has_children AND NEW.status IN ${ENDED} AND OLD.status NOT IN ${ENDED})
    EXECUTE FUNCTION ${s}.parent_ended();

  CREATE FUNCTION ${s}.flow_removed() RETURNS trigger LANGUAGE plpgsql AS $body$
  BEGIN
    DELETE FROM ${s}.job_parents WHERE child_id = OLD.id;
    DELETE FROM ${s}.job_parents WHERE parent_id = OLD.id;
    DELETE FROM ${s}.batches WHERE id = OLD.batch_id AND callback_id = OLD.id;
    RETURN NULL;
  END
  $body$;
  CREATE TRIGGER jobs_flow_removed AFTER DELETE ON ${s}.jobs FOR EACH ROW
    WHEN (OLD.has_children OR OLD.parents_left IS NOT NULL OR OLD.batch_id IS NOT NULL)
    EXECUTE FUNCTION ${s}.flow_removed();
`;
