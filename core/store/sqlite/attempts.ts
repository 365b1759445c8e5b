import type { JobAttempt } from '../../jobs/job-attempt.js';
import { ATTEMPTS_KEPT, COMPLETED_IN_ROW, LOST_ATTEMPT_ERROR, attemptOf, toJobAttempt, type AttemptRow } from '../attempt-rules.js';
import type { JobOutcome } from '../job-store.js';
import { HELD_SQL } from '../status-sets.js';
import type { Prepared } from './sqlite-statements.js';

/**
 * The attempt history (migration 5): written in the finish's and the lease recovery's transaction,
 * before the job's row changes (the attempt number and start are read from the row as the run
 * left it), for the lease holder only, one statement for the whole batch (its jobs are distinct,
 * so each job's next run number is read once). A run that completes the job writes no entry: the
 * job's row holds it (finished_by, migration 11; see COMPLETED_IN_ROW). A job past ATTEMPTS_KEPT
 * entries is cut back to its newest ones, one range of the primary key per job.
 */
/** The next run number of a job: one probe of the end of its primary-key range. */
const NEXT_N = (job: string) => `coalesce((SELECT max(n) FROM job_attempts WHERE job_id = ${job}), 0) + 1`;

const COLUMNS = 'attempt, started, ended, worker_id, outcome, error, error_stack';

export const ATTEMPTS_SQL = {
  /** JSON [[id, workerId, now, outcome, error, stack], …]: one attempt per outcome of the holder, but a completion of the job. */
  recordAttempts: `
    INSERT INTO job_attempts (job_id, n, ${COLUMNS})
    SELECT jobs.id, ${NEXT_N('jobs.id')}, jobs.attempts, jobs.started, o.now, o.worker_id, o.outcome, o.error, o.error_stack
    FROM (SELECT value ->> 0 AS id, value ->> 1 AS worker_id, value ->> 2 AS now, value ->> 3 AS outcome,
                 value ->> 4 AS error, value ->> 5 AS error_stack FROM json_each(?)) AS o
    JOIN jobs ON jobs.id = o.id AND coalesce(jobs.locked_by, '') = o.worker_id AND jobs.${HELD_SQL}
    -- The finish statement makes a running job completed and keeps the run in its row.
    WHERE NOT (o.outcome = 'completed' AND jobs.status = 'processing')
    RETURNING job_id, n`,
  recordLost: `
    INSERT INTO job_attempts (job_id, n, ${COLUMNS})
    SELECT id, ${NEXT_N('jobs.id')}, attempts, started, @now, locked_by, 'lost', @error, NULL FROM jobs
    WHERE locked_by IS NOT NULL AND locked_until <= @leaseEndedBy AND ${HELD_SQL}
    RETURNING job_id, n`,
  /** JSON [jobId, …]: each job's entries older than its newest ATTEMPTS_KEPT. */
  pruneAttempts: `
    DELETE FROM job_attempts
    WHERE job_id IN (SELECT value FROM json_each(?))
      AND n <= (SELECT a.n FROM job_attempts a WHERE a.job_id = job_attempts.job_id ORDER BY a.n DESC LIMIT 1 OFFSET ${ATTEMPTS_KEPT})`,
  /** The run a completed job's row keeps (finished_by is set by that completion only). */
  completedRun: `SELECT ${COMPLETED_IN_ROW} FROM jobs WHERE id = ? AND finished_by IS NOT NULL`,
  listAttempts: `
    SELECT ${COLUMNS} FROM job_attempts
    WHERE job_id = ? ORDER BY n DESC LIMIT ${ATTEMPTS_KEPT}`,
} as const;

type Statements = Prepared<typeof ATTEMPTS_SQL>;

/** Records the attempts of the outcomes whose job the worker holds; call inside the finish transaction, first. */
export function recordAttempts(sql: Statements, outcomes: JobOutcome[]): void {
  // A job twice in one batch: its first outcome ends the run (the later one finds it no longer held).
  const seen = new Set<number>();
  const rows = outcomes
    .filter((outcome) => !seen.has(outcome.id) && seen.add(outcome.id))
    .map((outcome) => {
      const attempt = attemptOf(outcome, 0, null);
      return [outcome.id, outcome.workerId, outcome.now, attempt.outcome, attempt.error, attempt.errorStack];
    });
  if (rows.length === 0) return;
  prune(sql, sql.recordAttempts.all(JSON.stringify(rows)) as Recorded[]);
}

/** Records a `lost` attempt for every lease that ended by `leaseEndedBy`; call inside the recovery's transaction, first. */
export function recordLostAttempts(sql: Statements, now: number, leaseEndedBy: number): void {
  prune(sql, sql.recordLost.all({ now, leaseEndedBy, error: LOST_ATTEMPT_ERROR }) as Recorded[]);
}

type Recorded = { job_id: number; n: number };

/** Cuts back the jobs that went past ATTEMPTS_KEPT entries with this one (most jobs have one or two: no statement). */
function prune(sql: Statements, recorded: Recorded[]): void {
  const over = recorded.filter((row) => row.n > ATTEMPTS_KEPT);
  if (over.length > 0) sql.pruneAttempts.run(JSON.stringify(over.map((row) => row.job_id)));
}

export function listAttempts(sql: Statements, id: number): JobAttempt[] {
  // Newest first: the run the row keeps ended the job, after every entry.
  const completed = sql.completedRun.get(id) as AttemptRow | undefined;
  const entries = sql.listAttempts.all(id) as AttemptRow[];
  return (completed ? [completed, ...entries] : entries).slice(0, ATTEMPTS_KEPT).map(toJobAttempt);
}
