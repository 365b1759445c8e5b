import type { Database } from 'better-sqlite3';
import { FINISHED_SQL, FIRST_POSITION, comparePositions, keptForKeySql, type FinishedPosition, type FinishedStatus, type RetentionBatch, type RetentionBatchResult } from '../retention-rules.js';
import { transaction, type Prepared } from './sqlite-statements.js';
import type { COMPLETED_COUNTS_SQL } from './completed-counts.js';

// Retention through the finished-jobs index of (service, status, completed, id) (migration 6).
// The status list is spelled out beside `status = @status` so that SQLite may use the partial index.
const OF_STATUS = `service = @service AND status = @status AND ${FINISHED_SQL}`;

export const RETENTION_SQL = {
  finishedPosition: `
    SELECT completed, id FROM jobs WHERE ${OF_STATUS} AND completed IS NOT NULL
    ORDER BY completed DESC, id DESC LIMIT 1 OFFSET @offset`,
  // The `limit`th position after `after`: the end of this batch's range, when it is that long.
  // Not a row value here: with one, SQLite's planner may skip-scan the services and sort.
  batchEnd: `
    SELECT completed, id FROM jobs
    WHERE ${OF_STATUS} AND completed >= @afterCompleted AND (completed > @afterCompleted OR id > @afterId)
    ORDER BY completed, id LIMIT 1 OFFSET @offset`,
  // The batch's range: after `after`, before `upper` (row values spelled out, as above).
  removeRange: `
    DELETE FROM jobs WHERE ${OF_STATUS}
      AND completed >= @afterCompleted AND (completed > @afterCompleted OR id > @afterId)
      AND completed <= @upperCompleted AND (completed < @upperCompleted OR id < @upperId)
      AND NOT ${keptForKeySql('@now')}`,
} as const;

type Statements = Prepared<typeof RETENTION_SQL & typeof COMPLETED_COUNTS_SQL>;

export function finishedPosition(sql: Statements, service: string, status: FinishedStatus, n: number): FinishedPosition | null {
  return (sql.finishedPosition.get({ service, status, offset: Math.max(0, Math.floor(n) - 1) }) as FinishedPosition | undefined) ?? null;
}

/** One batch in one transaction: a worker's claim gets the file between two batches. */
export function removeFinished(db: Database, sql: Statements, batch: RetentionBatch): RetentionBatchResult {
  const { service, status, before, now, limit } = batch;
  const after = batch.after ?? FIRST_POSITION;
  const run = transaction(db, (): RetentionBatchResult => {
    const range = { service, status, afterCompleted: after.completed, afterId: after.id };
    const end = sql.batchEnd.get({ ...range, offset: Math.max(0, limit - 1) }) as FinishedPosition | undefined;
    const full = end !== undefined && comparePositions(end, before) < 0;
    // Ids are whole numbers: up to `end` inclusive is before (end.completed, end.id + 1).
    const upper = full ? { completed: end.completed, id: end.id + 1 } : before;
    const removed = sql.removeRange.run({ ...range, upperCompleted: upper.completed, upperId: upper.id, now }).changes;
    if (status === 'completed' && removed > 0) sql.addCompleted.run(service, -removed);
    return { removed, last: full ? end : null };
  });
  return run.immediate();
}
