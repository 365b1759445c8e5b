import type { JobStatus } from '../../jobs/job.js';
import { LOST_WORKER_ERROR } from '../store-rules.js';
import { HELD_SQL, WAITING_SQL, isWaiting } from '../status-sets.js';
import { afterNotify, notify } from './notify.js';
import type { PostgresContext } from './postgres-context.js';
import { sqlText } from './tables.js';
import { recordLostAttemptsSql } from './attempts.js';
import { LOST_ATTEMPT_ERROR } from '../attempt-rules.js';

const renewLeasesText = sqlText(({ jobs }) => `
      UPDATE ${jobs} SET locked_until = $3
      WHERE id = ANY($1::bigint[]) AND coalesce(locked_by, '') = $2 AND ${HELD_SQL}
      RETURNING id`);

/** Of `ids`, those `workerId` still holds, their leases extended to `until`; in the order given. */
export async function renewLeases(ctx: PostgresContext, ids: number[], workerId: string, until: number): Promise<number[]> {
  if (ids.length === 0) return [];
  const { rows } = await ctx.query<{ id: number }>({
    name: 'remotetask-renew-leases',
    text: renewLeasesText(ctx.tables),
    values: [ids, workerId, until],
  });
  const held = new Set(rows.map((row) => row.id));
  return ids.filter((id) => held.has(id));
}

const cancelRequestedAmongText = sqlText(({ jobs }) => `SELECT id FROM ${jobs} WHERE id = ANY($1::bigint[]) AND cancel_requested`);

export async function cancelRequestedAmong(ctx: PostgresContext, ids: number[]): Promise<number[]> {
  const wanted = ids.filter((id) => Number.isSafeInteger(id));
  if (wanted.length === 0) return [];
  const { rows } = await ctx.query<{ id: number }>({
    name: 'remotetask-cancel-requested-among',
    text: cancelRequestedAmongText(ctx.tables),
    values: [wanted],
  });
  const flagged = new Set(rows.map((row) => row.id));
  return ids.filter((id) => flagged.has(id));
}

/** A processing job whose worker vanished, with an attempt left / with none left (no cancel asked). */
const REQUEUE_LOST = `(NOT j.cancel_requested AND j.status = 'processing' AND j.attempts < j.max_attempts)`;
const FAIL_LOST = `(NOT j.cancel_requested AND j.status = 'processing' AND j.attempts >= j.max_attempts)`;

const recoverExpiredText = sqlText(({ jobs, attempts }) => `
      WITH expired AS (
        SELECT id FROM ${jobs}
        WHERE locked_by IS NOT NULL AND locked_until <= $1 AND ${HELD_SQL}
        FOR UPDATE SKIP LOCKED
      ), recovered AS (
        UPDATE ${jobs} j SET
          status = CASE
            WHEN j.cancel_requested THEN 'cancelled'
            WHEN j.status = 'cronjob' THEN 'cronjob'
            WHEN j.attempts < j.max_attempts THEN 'queued'
            ELSE 'error' END,
          run_at = CASE WHEN ${REQUEUE_LOST} THEN 0 ELSE j.run_at END,
          error = CASE WHEN ${FAIL_LOST} THEN $2 ELSE j.error END,
          error_stack = CASE WHEN ${FAIL_LOST} THEN NULL ELSE j.error_stack END,
          completed = CASE WHEN j.cancel_requested OR ${FAIL_LOST} THEN $1 ELSE j.completed END,
          locked_by = NULL,
          locked_until = NULL
        FROM expired WHERE j.id = expired.id
        RETURNING j.id, j.service, j.status, j.gate
      ), ${recordLostAttemptsSql(jobs, attempts, '$1', '$3')}, ${notify('recovered', `(${WAITING_SQL} OR gate IS NOT NULL)`)}
      SELECT service, status, gate FROM recovered WHERE ${afterNotify}`);

/** Returns the jobs whose lease ended by `now` to the queue, or fails them; returns how many. */
export async function recoverExpired(ctx: PostgresContext, now: number): Promise<number> {
  const { rows } = await ctx.query<{ service: string; status: JobStatus; gate: string | null }>({
    name: 'remotetask-recover-expired',
    text: recoverExpiredText(ctx.tables),
    values: [now, LOST_WORKER_ERROR, LOST_ATTEMPT_ERROR],
  });
  ctx.wakeLocally(rows.filter((row) => isWaiting(row.status) || row.gate !== null).map((row) => row.service));
  return rows.length;
}
