import type { JobRecord } from '../../jobs/job.js';
import type { CancelledJob } from '../job-store.js';
import { decodedJson, toJobRecord, type JobRow } from '../job-row.js';
import { retryOnDeadlock } from '../retry-on-deadlock.js';
import { CANCELLABLE_SQL, RUNNING_BY_LEASE_SQL } from '../status-sets.js';
import { CANCEL_CHANNEL } from './channels.js';
import type { PostgresContext } from './postgres-context.js';
import { sqlText } from './tables.js';

// Cancels a waiting job outright, or records the request for the worker running it. $2: now.
const cancelSet = `
        status = CASE WHEN ${CANCELLABLE_SQL} THEN 'cancelled' ELSE status END,
        completed = CASE WHEN ${CANCELLABLE_SQL} THEN $2 ELSE completed END,
        cancel_requested = cancel_requested OR ${RUNNING_BY_LEASE_SQL}`;
/** One NOTIFY per running job of `cancelled` that newly got its cancel request, in the same statement. */
const notifyCancel = `notified AS (
        SELECT pg_notify('${CANCEL_CHANNEL}', json_build_object('id', id, 'service', service)::text)
        FROM cancelled WHERE newly_requested)`;
const afterCancelNotify = `(SELECT count(*) FROM notified) >= 0`;

// The row lock taken by `target` makes `was_requested` the flag as the update finds it, so of
// two cancels racing on a running job exactly one sees it newly set and sends the NOTIFY.
const cancelText = sqlText(({ jobs }) => `
      WITH target AS (
        SELECT id, cancel_requested AS was_requested FROM ${jobs} WHERE id = $1 FOR UPDATE
      ), cancelled AS (
        UPDATE ${jobs} j SET ${cancelSet}
        FROM target t WHERE j.id = t.id
        RETURNING j.*, j.cancel_requested AND NOT t.was_requested AS newly_requested
      ), ${notifyCancel}
      SELECT * FROM cancelled WHERE ${afterCancelNotify}`);

export async function cancelJob(ctx: PostgresContext, id: number, now: number): Promise<JobRecord | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const { rows } = await ctx.query<JobRow & { newly_requested: boolean }>({
    name: 'remotetask-cancel',
    text: cancelText(ctx.tables),
    values: [id, now],
  });
  const row = rows[0];
  if (!row) return undefined;
  if (row.newly_requested) ctx.cancelRequested(row.id, row.service);
  return toJobRecord(row, decodedJson);
}

const cancelAllText = sqlText(({ jobs }) => `
      WITH target AS (
        SELECT id, cancel_requested AS was_requested FROM ${jobs}
        WHERE service = $1 AND (${CANCELLABLE_SQL} OR ${RUNNING_BY_LEASE_SQL})
        -- Rows locked in id order: two cancelAll of one service never deadlock on each other.
        ORDER BY id
        FOR UPDATE
      ), cancelled AS (
        UPDATE ${jobs} j SET ${cancelSet}
        FROM target t WHERE j.id = t.id
        RETURNING j.id, j.service, j.task, j.status, j.cancel_requested AND NOT t.was_requested AS newly_requested
      ), ${notifyCancel}
      SELECT id, service, task, status, newly_requested FROM cancelled WHERE ${afterCancelNotify}`);

export async function cancelAllJobs(ctx: PostgresContext, service: string, now: number): Promise<CancelledJob[]> {
  const config = { name: 'remotetask-cancel-all', text: cancelAllText(ctx.tables), values: [service, now] };
  // It locks the service's rows in id order; a batch of outcomes locks them in its own order, so
  // the two can deadlock. PostgreSQL then aborts one statement whole: run this one again.
  const { rows } = await retryOnDeadlock(() => ctx.query<{ id: number; service: string; task: string; status: string; newly_requested: boolean }>(config));
  rows.sort((a, b) => a.id - b.id);
  for (const row of rows) if (row.newly_requested) ctx.cancelRequested(row.id, row.service);
  return rows.map((row) => ({ id: row.id, task: row.task, cancelled: row.status === 'cancelled' }));
}
