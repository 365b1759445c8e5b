import type pg from 'pg';
import { addJobFunctionSql } from './add-job-function.js';
import { flowsMigrationSql } from './flows-schema.js';
import { gateClaimFunctionsSql } from './gate-claim-functions.js';
import { FLOW_CHANNEL } from './channels.js';

/** One step of the PostgreSQL schema. Versions only grow; a released migration is never edited. */
export interface PostgresMigration {
  version: number;
  name: string;
  /** The statements, for the schema `s` (already quoted). */
  sql: (s: string) => string;
}

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'jobs',
    sql: (s) => `
      CREATE TABLE ${s}.jobs (
        id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        -- "C" collation: byte order, the same order the other stores sort in, and cheaper to compare.
        service          text COLLATE "C" NOT NULL,
        task             text COLLATE "C" NOT NULL,
        input            jsonb,
        status           text COLLATE "C" NOT NULL CHECK (status IN
                           ('queued', 'processing', 'cancelled', 'error', 'completed', 'delayed', 'cronjob', 'start later')),
        result           jsonb,
        error            text,
        error_stack      text,
        attempts         integer NOT NULL DEFAULT 0,
        max_attempts     integer NOT NULL,
        created          bigint NOT NULL,
        started          bigint,
        completed        bigint,
        run_at           bigint NOT NULL,
        schedule         jsonb,
        progress         double precision,
        progress_message text,
        locked_by        text,
        locked_until     bigint,
        cancel_requested boolean NOT NULL DEFAULT false
      );
      -- claim, hasWaiting, nextRunAt: only the jobs a worker may take, in the order it takes them.
      CREATE INDEX jobs_claim_idx ON ${s}.jobs (service, run_at, id)
        WHERE status IN ('queued', 'delayed', 'cronjob') AND locked_by IS NULL;
      -- listing a service's jobs, and by status.
      CREATE INDEX jobs_service_idx ON ${s}.jobs (service, id);
      CREATE INDEX jobs_service_status_idx ON ${s}.jobs (service, status, id);
      -- recoverExpired: the few leased jobs, by lease end.
      CREATE INDEX jobs_lease_idx ON ${s}.jobs (locked_until) WHERE locked_by IS NOT NULL;
    `,
  },
  {
    version: 2,
    name: 'job timeout',
    // A time limit for each run of the job (ms); NULL: none of its own. Existing jobs get NULL,
    // which is a catalog-only change: no table rewrite.
    sql: (s) => `ALTER TABLE ${s}.jobs ADD COLUMN timeout_ms bigint`,
  },
  {
    version: 3,
    name: 'fewer index entries per job',
    // A job is written three times (added, claimed, finished), and every write of a row that is
    // not a HOT update adds an entry to each index whose predicate the new row meets. So:
    // - the (service, status, id) index leaves out running jobs, which the lease index already
    //   holds (a processing job always has a lease): a claim no longer writes to it;
    // - (service, id) goes: a service's jobs in id order are read per status from the index
    //   above, merged (see the store's list());
    // - room is left on each page, so a claim or finish writes the new row version next to the
    //   old one (smaller WAL records, and no second lock record for moving the row).
    // Together about 40% less WAL per job. fillfactor applies to pages filled from now on.
    sql: (s) => `
      DROP INDEX ${s}.jobs_service_idx;
      DROP INDEX ${s}.jobs_service_status_idx;
      CREATE INDEX jobs_service_status_idx ON ${s}.jobs (service, status, id) WHERE status <> 'processing';
      ALTER TABLE ${s}.jobs SET (fillfactor = 60);
    `,
  },
  {
    version: 4,
    name: 'completed jobs counted, not indexed',
    // Most jobs end completed and stay so: their entry in the status index was a third of the
    // index writes of a job's run (claim: primary key and lease; finish: primary key and status).
    // Now a completed job has no status-index entry. What the entries gave:
    // - counts: a table of count deltas per service, one row per finish (or clean) statement that
    //   changed the number, summed when counting and folded into one row per service from time to
    //   time (see the store's compactCompletedCounts);
    // - listing completed jobs: the primary key, walked in id order and filtered by service; for a
    //   service with few jobs among many of others', a BRIN index of the service per 16 pages finds
    //   the pages that hold its jobs instead (its entries cost next to nothing to keep: a value
    //   within its range's summary writes nothing; autosummarize summarizes new ranges).
    sql: (s) => `
      DROP INDEX ${s}.jobs_service_status_idx;
      CREATE INDEX jobs_service_status_idx ON ${s}.jobs (service, status, id)
        WHERE status NOT IN ('processing', 'completed');
      CREATE TABLE ${s}.completed_counts (
        service text COLLATE "C" NOT NULL,
        delta   bigint NOT NULL
      );
      INSERT INTO ${s}.completed_counts (service, delta)
        SELECT service, count(*) FROM ${s}.jobs WHERE status = 'completed' GROUP BY service;
      CREATE INDEX jobs_service_brin ON ${s}.jobs USING brin (service) WITH (pages_per_range = 16, autosummarize = on);
    `,
  },
  {
    version: 5,
    name: 'process registry and fleet-wide pauses',
    // The processes serving the schema's services, each with its last heartbeat (see
    // core/store/process-registry.ts). A few rows, each rewritten every third of a lease.
    sql: (s) => `
      CREATE TABLE ${s}.processes (
        id   text COLLATE "C" PRIMARY KEY,
        beat jsonb NOT NULL
      );
      -- The services paused for every process: no process claims their jobs.
      CREATE TABLE ${s}.paused_services (
        service text COLLATE "C" PRIMARY KEY,
        since   bigint NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: 'job priority and key',
    // Lower runs first, 0 by default. A constant default is a catalog-only change (no table
    // rewrite). The claim index gains the priority in front, in the order the claim reads it:
    // the claim stays one ordered probe of it, with no sort. smallint: 2 bytes in the row, and the
    // index entry of a waiting job grows by one alignment step (8 bytes).
    sql: (s) => `
      ALTER TABLE ${s}.jobs ADD COLUMN priority smallint NOT NULL DEFAULT 0;
      DROP INDEX ${s}.jobs_claim_idx;
      CREATE INDEX jobs_claim_idx ON ${s}.jobs (service, priority, run_at, id)
        WHERE status IN ('queued', 'delayed', 'cronjob') AND locked_by IS NULL;
      -- A key unique within the service while the job holds it (see core/store/key-rules.ts): the
      -- partial unique index makes two processes adding one key at once get one job. Plain jobs
      -- have no key and no entry in it; all three columns are NULL for them (no table rewrite).
      ALTER TABLE ${s}.jobs
        ADD COLUMN job_key text COLLATE "C",
        ADD COLUMN key_scope text COLLATE "C" CHECK (key_scope IN ('waiting', 'running', 'finished', 'expired')),
        ADD COLUMN key_period_ms bigint;
      CREATE UNIQUE INDEX jobs_key_idx ON ${s}.jobs (service, job_key)
        WHERE job_key IS NOT NULL AND ((key_scope = 'waiting' AND (status = 'cronjob' OR (status IN ('queued', 'start later', 'delayed') AND started IS NULL))) OR (key_scope = 'running' AND status NOT IN ('completed', 'error', 'cancelled')) OR key_scope = 'finished');
    `,
  },
  {
    version: 7,
    name: 'attempt history',
    // One row per run that ended (see core/store/attempt-rules.ts), written by the finish and the
    // lease recovery statements themselves: at most 25 per job, the error and stack capped. The
    // primary key leads with the job: a job's runs newest first are one backward index range, as
    // is the cut back to the newest 25. No foreign key (its check would cost every finish a probe
    // of jobs): a statement-level trigger removes the history of the jobs a DELETE removed
    // (clean, retention), one join per statement.
    sql: (s) => `
      CREATE TABLE ${s}.job_attempts (
        job_id      bigint NOT NULL,
        id          bigint GENERATED ALWAYS AS IDENTITY,
        attempt     integer NOT NULL,
        started     bigint,
        ended       bigint NOT NULL,
        worker_id   text NOT NULL,
        outcome     text COLLATE "C" NOT NULL,
        error       text,
        error_stack text,
        PRIMARY KEY (job_id, id)
      );
      CREATE FUNCTION ${s}.remove_job_attempts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM ${s}.job_attempts a USING removed r WHERE a.job_id = r.id;
        RETURN NULL;
      END $$;
      CREATE TRIGGER jobs_attempts_removed AFTER DELETE ON ${s}.jobs
        REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION ${s}.remove_job_attempts();
    `,
  },
  {
    version: 8,
    name: 'finished jobs by end time',
    // Retention removes a service's finished jobs of one status oldest end first, and the
    // dashboard counts completions per minute: both read this index by (service, status, completed).
    // id last makes every position unique, so a sweep walks on from where its last batch stopped.
    // Only finished jobs have an entry: a claim writes none, a finish writes one (the cost of
    // retention on the hot path: one index entry per finished job, about 40 bytes).
    sql: (s) => `
      CREATE INDEX jobs_finished_idx ON ${s}.jobs (service, status, completed, id)
        WHERE status IN ('completed', 'error', 'cancelled');
    `,
  },
  {
    version: 9,
    name: 'limits and serial queues',
    // The limit or serial queue a job passes before it runs (core/store/gate-rules.ts); NULL for
    // plain jobs (no table rewrite). The claim index leaves gated jobs out: a limit holding many
    // jobs back never lengthens the claim of the others. Three partial indexes that plain jobs
    // have no entry in serve the gates: their waiting jobs by gate (the loose scan over gates,
    // and the claim within one), their running jobs (a limit's count), and a queue's head.
    sql: (s) => `
      ALTER TABLE ${s}.jobs ADD COLUMN gate text COLLATE "C";
      DROP INDEX ${s}.jobs_claim_idx;
      CREATE INDEX jobs_claim_idx ON ${s}.jobs (service, priority, run_at, id)
        WHERE status IN ('queued', 'delayed', 'cronjob') AND locked_by IS NULL AND gate IS NULL;
      CREATE INDEX jobs_gate_waiting_idx ON ${s}.jobs (service, gate, run_at, id)
        WHERE status IN ('queued', 'delayed', 'cronjob') AND locked_by IS NULL AND gate IS NOT NULL;
      CREATE INDEX jobs_gate_running_idx ON ${s}.jobs (service, gate) WHERE gate IS NOT NULL AND locked_by IS NOT NULL;
      CREATE INDEX jobs_gate_queue_idx ON ${s}.jobs (service, gate, id)
        WHERE gate IS NOT NULL AND status IN ('queued', 'delayed', 'processing');
      -- Claims per gate in its current fixed rate window: one row per gate with a rate, written by
      -- the claims of its jobs under the gate's advisory lock.
      CREATE TABLE ${s}.gate_windows (
        service      text COLLATE "C" NOT NULL,
        gate         text COLLATE "C" NOT NULL,
        window_start bigint NOT NULL,
        claims       integer NOT NULL,
        PRIMARY KEY (service, gate)
      );
    `,
  },
  {
    version: 10,
    name: 'job dependencies and batches',
    // Four columns NULL or with a constant default (no table rewrite), two small tables, and the
    // triggers of flows-schema.ts.
    sql: flowsMigrationSql,
  },
  {
    version: 11,
    name: 'add_job function',
    // Enqueueing with one SQL statement, in the caller's transaction (see add-job-function.ts).
    sql: addJobFunctionSql,
  },
  {
    version: 12,
    name: 'a process told to drain',
    // Set by an operator (setProcessDraining), read back by the process's own beats, so the order
    // holds when its notification was missed. A constant default: a catalog-only change.
    sql: (s) => `
      ALTER TABLE ${s}.processes ADD COLUMN draining boolean NOT NULL DEFAULT false;
    `,
  },
  {
    version: 13,
    name: 'claim index by task',
    // A claim limited to some tasks (an agent's) probes this per task, reading no job of another
    // task. Costs one more index entry per waiting job, written at insert, dead after the claim.
    sql: (s) => `
      CREATE INDEX jobs_task_claim_idx ON ${s}.jobs (service, task, priority, run_at, id)
        WHERE status IN ('queued', 'delayed', 'cronjob') AND locked_by IS NULL AND gate IS NULL;
    `,
  },
  {
    version: 14,
    name: 'a completed run in its job row',
    // The worker that completed a job: its last attempt is read from the job's own row, so a job
    // that completes writes no job_attempts row (a heap tuple and its index entry fewer per job;
    // see core/store/attempt-rules.ts). No default: a catalog-only change.
    sql: (s) => `
      ALTER TABLE ${s}.jobs ADD COLUMN finished_by text;
    `,
  },
  {
    version: 15,
    name: 'gate claims in one statement',
    // A gate's claim was four round trips (BEGIN, the gate's lock, the claim, COMMIT); these
    // functions make it one. Each gate kind's index holds only its own jobs: a limit reads its
    // running jobs, a queue its head, so a limited job no longer writes a queue entry. And ended
    // rate windows are removed.
    sql: (s) => `
      DROP INDEX ${s}.jobs_gate_running_idx;
      DROP INDEX ${s}.jobs_gate_queue_idx;
      -- gate IS NOT NULL first: a plain job's writes stop at it.
      CREATE INDEX jobs_gate_running_idx ON ${s}.jobs (service, gate)
        WHERE gate IS NOT NULL AND locked_by IS NOT NULL AND substr(gate, 1, 9) = '["limit",';
      CREATE INDEX jobs_gate_queue_idx ON ${s}.jobs (service, gate, id)
        WHERE gate IS NOT NULL AND status IN ('queued', 'delayed', 'processing') AND substr(gate, 1, 9) = '["queue",';
      -- When a rate window ends: ended ones are removed by the claims (older rows have none, and
      -- are given one when their gate next counts a claim).
      ALTER TABLE ${s}.gate_windows ADD COLUMN window_end bigint;
      CREATE INDEX gate_windows_ended_idx ON ${s}.gate_windows (service, window_end) WHERE window_end IS NOT NULL;
      ${gateClaimFunctionsSql(s)}
    `,
  },
  {
    version: 16,
    name: 'flow changes announced',
    // A blocked job that its parents' end released or cancelled is changed by the parent_ended
    // trigger, inside whichever statement ended the parent: this one announces it on
    // remotetask_flow, delivered when that transaction commits, so every process's event
    // subscribers see it (JobStore.onFlowChanged). Only parent_ended lowers parents_left.
    sql: (s) => `
      CREATE FUNCTION ${s}.flow_changed() RETURNS trigger LANGUAGE plpgsql AS $body$
      DECLARE
        payload text := json_build_object('service', NEW.service, 'jobId', NEW.id, 'task', NEW.task, 'status', NEW.status,
          'time', coalesce(NEW.completed, (extract(epoch FROM clock_timestamp()) * 1000)::bigint), 'error', NEW.error)::text;
      BEGIN
        -- NOTIFY's limit is 8,000 bytes; names that long make it a resync for the listeners.
        PERFORM pg_notify('${FLOW_CHANNEL}', CASE WHEN octet_length(payload) <= 7900 THEN payload ELSE 'resync' END);
        RETURN NULL;
      END
      $body$;
      CREATE TRIGGER jobs_flow_changed AFTER UPDATE OF status ON ${s}.jobs FOR EACH ROW
        WHEN (OLD.status = 'blocked' AND NEW.status IN ('queued', 'cancelled') AND NEW.parents_left < OLD.parents_left)
        EXECUTE FUNCTION ${s}.flow_changed();
    `,
  },
];

export const LATEST_POSTGRES_SCHEMA_VERSION = Math.max(...POSTGRES_MIGRATIONS.map((migration) => migration.version));

/** Quotes a schema name after checking it is a plain identifier (it ends up in SQL text). */
export function quoteSchema(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`The PostgreSQL schema name "${schema}" is not valid: use lowercase letters, digits and _`);
  }
  return `"${schema}"`;
}

/**
 * Brings the schema up to date in one transaction. The advisory lock serializes processes that
 * start together, so each migration is applied and recorded once. `migrations` is for tests that
 * build a schema as an older remotetask left it.
 */
export async function migratePostgres(
  client: pg.ClientBase,
  schema: string,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<void> {
  const latest = migrations.reduce((max, migration) => Math.max(max, migration.version), 0);
  const s = quoteSchema(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`remotetask:migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${s}.migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${s}.migrations`);
    const current = rows[0]?.version ?? 0;
    if (current > latest) {
      throw new Error(
        `The PostgreSQL schema "${schema}" is at version ${current}, newer than this remotetask knows ` +
          `(${latest}): upgrade remotetask, or point it at another schema`,
      );
    }
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      await client.query(migration.sql(s));
      await client.query(`INSERT INTO ${s}.migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
