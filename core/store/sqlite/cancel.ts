import type { Database } from 'better-sqlite3';
import type { JobRecord } from '../../jobs/job.js';
import type { CancelHub } from '../cancel-hub.js';
import type { CancelledJob } from '../job-store.js';
import { parseJsonText, toJobRecord, type JobRow } from '../job-row.js';
import { CANCELLABLE_SQL, RUNNING_BY_LEASE_SQL } from '../status-sets.js';
import { transaction, type Prepared } from './sqlite-statements.js';

/**
 * Cancels: a waiting job outright, a running one by recording the request for its worker. The
 * running jobs of a service are found in the lease index (named: they are few, and the planner
 * may prefer walking the service's rows; the status index leaves them out, migration 15).
 */
export const CANCEL_SQL = {
  // Run before `cancel` / `flagRunning`, in their transaction: the running jobs about to get their
  // cancel request for the first time, whose workers are told (RETURNING cannot see the old flag).
  newlyFlaggedOne: `SELECT 1 FROM jobs WHERE id = @id AND ${RUNNING_BY_LEASE_SQL} AND NOT cancel_requested`,
  newlyFlagged: `SELECT id FROM jobs INDEXED BY jobs_leased WHERE service = @service AND ${RUNNING_BY_LEASE_SQL} AND NOT cancel_requested`,
  cancel: `
    UPDATE jobs SET
      cancel_requested = CASE WHEN ${RUNNING_BY_LEASE_SQL} THEN 1 ELSE cancel_requested END,
      completed = CASE WHEN ${CANCELLABLE_SQL} THEN @now ELSE completed END,
      status = CASE WHEN ${CANCELLABLE_SQL} THEN 'cancelled' ELSE status END
    WHERE id = @id
    RETURNING *`,
  cancelWaiting: `UPDATE jobs SET status = 'cancelled', completed = @now WHERE service = @service AND ${CANCELLABLE_SQL} RETURNING id, task`,
  flagRunning: `UPDATE jobs INDEXED BY jobs_leased SET cancel_requested = 1 WHERE service = @service AND ${RUNNING_BY_LEASE_SQL} RETURNING id, task`,
} as const;

type Statements = Prepared<typeof CANCEL_SQL>;

export function cancelJob(db: Database, sql: Statements, cancels: CancelHub, id: number, now: number): JobRecord | undefined {
  const cancel = transaction(db, () => {
    const flagging = sql.newlyFlaggedOne.get({ id }) !== undefined;
    const row = sql.cancel.get({ id, now }) as JobRow<string> | undefined;
    return { row, flagging };
  });
  const { row, flagging } = cancel.immediate();
  if (row && flagging) cancels.requested(row.id, row.service);
  return row && toJobRecord(row, parseJsonText);
}

export function cancelAllJobs(db: Database, sql: Statements, cancels: CancelHub, service: string, now: number): CancelledJob[] {
  const cancelAll = transaction(db, () => {
    const flagging = (sql.newlyFlagged.all({ service }) as { id: number }[]).map((row) => row.id);
    const ended = (sql.cancelWaiting.all({ service, now }) as { id: number; task: string }[]).map((row) => ({ ...row, cancelled: true }));
    const flagged = (sql.flagRunning.all({ service }) as { id: number; task: string }[]).map((row) => ({ ...row, cancelled: false }));
    return { touched: [...ended, ...flagged].sort((a, b) => a.id - b.id), flagging };
  });
  const { touched, flagging } = cancelAll.immediate();
  for (const id of flagging.sort((a, b) => a - b)) cancels.requested(id, service);
  return touched;
}
