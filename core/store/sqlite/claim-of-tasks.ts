import { WAITING_SQL } from '../status-sets.js';
import type { Prepared } from './sqlite-statements.js';

// A claim limited to some tasks (an agent's): each task's due jobs are read from the
// (service, task, priority, run_at, id) index, so the jobs of other tasks are never read.

export const CLAIM_OF_TASKS_SQL = {
  dueOfTask: `
    SELECT id, priority, run_at FROM jobs INDEXED BY jobs_task_due
    WHERE service = @service AND task = @task AND ${WAITING_SQL} AND run_at <= @now AND locked_by IS NULL AND gate IS NULL
    ORDER BY priority, run_at, id LIMIT @limit`,
} as const;

type Due = { id: number; priority: number; run_at: number };

/** The ids of the `limit` most urgent due jobs of `tasks` (priority, then runAt, then id): one index probe per task. */
export function dueIdsOfTasks(
  sql: Prepared<typeof CLAIM_OF_TASKS_SQL>,
  params: { service: string; now: number; limit: number },
  tasks: readonly string[],
): number[] {
  const due: Due[] = [];
  for (const task of new Set(tasks)) due.push(...(sql.dueOfTask.all({ ...params, task }) as Due[]));
  due.sort((a, b) => a.priority - b.priority || a.run_at - b.run_at || a.id - b.id);
  return due.slice(0, params.limit).map((row) => row.id);
}
