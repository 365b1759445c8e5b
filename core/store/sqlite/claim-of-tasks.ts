import { WAITING_SQL } from '../status-sets.js';
import { CLAIMED_COLUMNS, ID, PRIORITY, RUN_AT, type ClaimedRow } from './claimed-rows.js';
import type { Prepared } from './sqlite-statements.js';

// A claim limited to some tasks (an agent's): each task's due jobs are read from the
// (service, task, priority, run_at, id) index, so the jobs of other tasks are never read.

export const CLAIM_OF_TASKS_SQL = {
  dueOfTask: `
    SELECT ${CLAIMED_COLUMNS} FROM jobs INDEXED BY jobs_task_due
    WHERE service = @service AND task = @task AND ${WAITING_SQL} AND run_at <= @now AND locked_by IS NULL AND gate IS NULL
    ORDER BY priority, run_at, id LIMIT @limit`,
} as const;

/** The `limit` most urgent due jobs of `tasks` (priority, then runAt, then id), not yet leased: one index probe per task. */
export function dueOfTasks(
  sql: Prepared<typeof CLAIM_OF_TASKS_SQL>,
  params: { service: string; now: number; limit: number },
  tasks: readonly string[],
): ClaimedRow[] {
  const due: ClaimedRow[] = [];
  for (const task of new Set(tasks)) due.push(...(sql.dueOfTask.all({ ...params, task }) as ClaimedRow[]));
  due.sort((a, b) => a[PRIORITY] - b[PRIORITY] || a[RUN_AT] - b[RUN_AT] || a[ID] - b[ID]);
  return due.slice(0, params.limit);
}
