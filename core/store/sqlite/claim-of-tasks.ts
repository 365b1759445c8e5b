import { WAITING_SQL } from '../status-sets.js';
import { CLAIMED_COLUMNS, ID, PRIORITY, RUN_AT, type ClaimedRow } from './claimed-rows.js';
import type { Prepared } from './sqlite-statements.js';

// SQLite has one claim index, (service, task, priority, run_at, id) (migration 16): a claim reads
// each task's due jobs from it, so the jobs of other tasks are never read (an agent's claim); a
// claim of any task reads the tasks with waiting jobs first (see waiting-tasks.ts).

const DUE_OF_TASK = `FROM jobs INDEXED BY jobs_task_due
    WHERE service = @service AND task = @task AND ${WAITING_SQL} AND run_at <= @now AND locked_by IS NULL AND gate IS NULL
    ORDER BY priority, run_at, id LIMIT @limit`;

export const CLAIM_OF_TASKS_SQL = {
  dueOfTask: `SELECT ${CLAIMED_COLUMNS} ${DUE_OF_TASK}`,
  dueKeysOfTask: `SELECT id, priority, run_at ${DUE_OF_TASK}`,
  dueByIds: `SELECT ${CLAIMED_COLUMNS} FROM jobs WHERE id IN (SELECT value FROM json_each(@ids))`,
} as const;

const claimOrder = (a: [number, number, number], b: [number, number, number]) => a[1] - b[1] || a[2] - b[2] || a[0] - b[0];
const rowOrder = (a: ClaimedRow, b: ClaimedRow) => a[PRIORITY] - b[PRIORITY] || a[RUN_AT] - b[RUN_AT] || a[ID] - b[ID];

/**
 * The `limit` most urgent due jobs of `tasks` (priority, then runAt, then id), not yet leased.
 * One task: its rows straight from the index. Several: each task's first `limit` positions, the
 * most urgent of them read whole (no row of a task read only to be dropped).
 */
export function dueOfTasks(
  sql: Prepared<typeof CLAIM_OF_TASKS_SQL>,
  params: { service: string; now: number; limit: number },
  tasks: readonly string[],
): ClaimedRow[] {
  const distinct = [...new Set(tasks)];
  if (distinct.length === 0) return [];
  if (distinct.length === 1) return sql.dueOfTask.all({ ...params, task: distinct[0] }) as ClaimedRow[];
  const keys: [number, number, number][] = [];
  for (const task of distinct) keys.push(...(sql.dueKeysOfTask.all({ ...params, task }) as [number, number, number][]));
  if (keys.length === 0) return [];
  keys.sort(claimOrder);
  const ids = keys.slice(0, params.limit).map((key) => key[0]);
  return (sql.dueByIds.all({ ids: JSON.stringify(ids) }) as ClaimedRow[]).sort(rowOrder);
}
