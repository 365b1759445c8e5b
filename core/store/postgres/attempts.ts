import type { JobAttempt } from '../../jobs/job-attempt.js';
import { ATTEMPTS_KEPT, ATTEMPT_ERROR_CHARS, ATTEMPT_STACK_CHARS, COMPLETED_IN_ROW, toJobAttempt, type AttemptRow } from '../attempt-rules.js';
import type { PostgresContext } from './postgres-context.js';
import { sqlText } from './tables.js';

// The attempt history (migration 7), written by the finish and the lease recovery statements as
// CTEs of their own: no round trip of its own, in the same transaction as the job's change. Every
// CTE of a statement reads the snapshot the statement started with, so `jobs` read here is the
// row as the run left it (its attempt number and start), and the history as it was before this
// statement's new entries: the cut keeps the newest ATTEMPTS_KEPT - 1 old ones beside the new one.

/**
 * CTEs for the finish statement: one attempt per applied outcome (`finished` returns the outcome's
 * columns and the status it left) that did not complete the job, then the cut. A run that completes
 * its job is kept in the job's row (finished_by, migration 14): nothing here for the common case.
 * Per other outcome: a primary-key probe of jobs (a page the update just read), one insert into
 * job_attempts, and one backward range of at most ATTEMPTS_KEPT entries of its key.
 */
export const recordAttemptsSql = (jobs: string, attempts: string) => `
      attempted AS (
        INSERT INTO ${attempts} (job_id, attempt, started, ended, worker_id, outcome, error, error_stack)
        SELECT j.id, j.attempts, j.started, f.now, f.worker_id, f.kind,
          left(f.error, ${ATTEMPT_ERROR_CHARS}), left(f.error_stack, ${ATTEMPT_STACK_CHARS})
        FROM finished f JOIN ${jobs} j ON j.id = f.id
        WHERE f.status <> 'completed'
      ), ${cutSql(attempts, 'finished', "c.status <> 'completed' AND ")}`;

/** CTEs for the lease recovery: a `lost` attempt on the worker that held each recovered job. */
export const recordLostAttemptsSql = (jobs: string, attempts: string, now: string, error: string) => `
      lost AS (
        INSERT INTO ${attempts} (job_id, attempt, started, ended, worker_id, outcome, error)
        SELECT j.id, j.attempts, j.started, ${now}, j.locked_by, 'lost', ${error}
        FROM recovered r JOIN ${jobs} j ON j.id = r.id
      ), ${cutSql(attempts, 'recovered')}`;

/** The cut of the jobs of `changed` (those that `only` keeps, a condition on c followed by AND). */
const cutSql = (attempts: string, changed: string, only = '') => `
      cut AS (
        DELETE FROM ${attempts} a USING ${changed} c
        WHERE ${only}a.job_id = c.id AND a.id <= (
          SELECT b.id FROM ${attempts} b WHERE b.job_id = c.id ORDER BY b.job_id DESC, b.id DESC OFFSET ${ATTEMPTS_KEPT - 1} LIMIT 1)
      )`;

/** The run kept in a completed job's row first (newest; finished_by is set by that completion only), then its entries, newest first. */
export const listAttemptsText = sqlText(({ jobs, attempts }) => `
      SELECT attempt, started, ended, worker_id, outcome, error, error_stack FROM (
        SELECT ${COMPLETED_IN_ROW}, true AS in_row, 0::bigint AS id FROM ${jobs}
        WHERE id = $1 AND finished_by IS NOT NULL
        UNION ALL
        (SELECT attempt, started, ended, worker_id, outcome, error, error_stack, false, id FROM ${attempts}
         WHERE job_id = $1 ORDER BY id DESC LIMIT ${ATTEMPTS_KEPT})) AS history
      ORDER BY in_row DESC, id DESC LIMIT ${ATTEMPTS_KEPT}`);

export async function listAttempts(ctx: PostgresContext, id: number): Promise<JobAttempt[]> {
  if (!Number.isSafeInteger(id)) return [];
  const { rows } = await ctx.query<AttemptRow>({ name: 'remotetask-list-attempts', text: listAttemptsText(ctx.tables), values: [id] });
  return rows.map(toJobAttempt);
}
