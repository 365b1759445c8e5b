import { FINISHED_SQL, FIRST_POSITION, keptForKeySql, type FinishedPosition, type FinishedStatus, type RetentionBatch, type RetentionBatchResult } from '../retention-rules.js';
import { retryOnDeadlock } from '../retry-on-deadlock.js';
import type { PostgresContext } from './postgres-context.js';
import { sqlText } from './tables.js';

// Retention's reads and writes, through the finished-jobs index of (service, status, completed, id)
// (migration 8). The status list is spelled out beside `status = $2` so that the planner can use
// the partial index in a generic plan.

export const positionText = sqlText(({ jobs }) => `
      SELECT completed, id FROM ${jobs}
      WHERE service = $1 AND status = $2 AND ${FINISHED_SQL} AND completed IS NOT NULL
      ORDER BY completed DESC, id DESC
      OFFSET $3 LIMIT 1`);

export async function finishedPosition(ctx: PostgresContext, service: string, status: FinishedStatus, n: number): Promise<FinishedPosition | null> {
  const { rows } = await ctx.query<FinishedPosition>({
    name: 'remotetask-finished-position',
    text: positionText(ctx.tables),
    values: [service, status, Math.max(0, Math.floor(n) - 1)],
  });
  return rows[0] ?? null;
}

// One batch: the positions looked at, in index order; the jobs among them not kept for their key
// are deleted (a job retried meanwhile is in another status, and the DELETE's own check skips it).
// Removed completed jobs leave the completed count by a count delta, as clean() does.
export const removeText = sqlText(({ jobs, completedCounts }) => `
      WITH looked AS (
        SELECT id, completed AS ended FROM ${jobs}
        WHERE service = $1 AND status = $2 AND ${FINISHED_SQL}
          AND (completed, id) > ($3::bigint, $4::bigint) AND (completed, id) < ($5::bigint, $6::bigint)
        ORDER BY completed, id
        LIMIT $7
      ), gone AS (
        DELETE FROM ${jobs} j USING looked
        WHERE j.id = looked.id AND j.status = $2 AND NOT ${keptForKeySql('$8::bigint')}
        RETURNING j.status
      ), counted AS (
        INSERT INTO ${completedCounts} (service, delta)
        SELECT $1, -count(*) FROM gone WHERE status = 'completed' HAVING count(*) > 0
      ), last AS (
        -- The batch's last position, by two aggregates (no sort).
        SELECT max(ended) AS ended FROM looked
      )
      SELECT (SELECT count(*) FROM gone) AS removed, (SELECT count(*) FROM looked) AS looked,
        (SELECT ended FROM last) AS last_completed,
        (SELECT max(id) FROM looked WHERE ended = (SELECT ended FROM last)) AS last_id`);

export async function removeFinished(ctx: PostgresContext, batch: RetentionBatch): Promise<RetentionBatchResult> {
  const after = batch.after ?? FIRST_POSITION;
  // A retryAll or clean locking some of the same finished rows in another order may deadlock with
  // the batch; PostgreSQL aborts one of the two, and the batch runs again.
  const { rows } = await retryOnDeadlock(() => ctx.query<{ removed: number; looked: number; last_completed: number | null; last_id: number | null }>({
    name: 'remotetask-remove-finished',
    text: removeText(ctx.tables),
    values: [batch.service, batch.status, after.completed, after.id, batch.before.completed, batch.before.id, batch.limit, batch.now],
  }));
  const { removed, looked, last_completed, last_id } = rows[0];
  if (removed > 0 && batch.status === 'completed') ctx.countDeltasAdded(1);
  const full = looked >= batch.limit && last_completed !== null && last_id !== null;
  return { removed, last: full ? { completed: last_completed, id: last_id } : null };
}
