import { hasWaitingSql, nextRunAtSql } from '../priority-levels.js';
import { WAITING_SQL } from '../status-sets.js';
import { distinctTasksSql } from './distinct-tasks-sql.js';
import type { Prepared } from './sqlite-statements.js';

// The tasks with jobs in SQLite's claim index (service, task, priority, run_at, id), by a loose
// index scan (one probe per task): a claim of any task, hasWaiting and nextRunAt go task by task.

// The index's predicate, for the loose scan of its tasks.
const IN_CLAIM_INDEX = `service = @service AND ${WAITING_SQL} AND gate IS NULL`;

export const WAITING_TASKS_SQL = {
  waitingTasks: distinctTasksSql('jobs_task_due', IN_CLAIM_INDEX),
  hasWaitingOfTask: hasWaitingSql('jobs', '@service', '@now', '@task'),
  nextRunAtOfTask: nextRunAtSql('jobs', '@service', '@task'),
} as const;

type Statements = Prepared<typeof WAITING_TASKS_SQL>;

/** The tasks of the service that have jobs in the claim index (waiting, not gated), in name order; `waitingTasks` runs plucked. */
export function waitingTasks(sql: Statements, service: string): string[] {
  return sql.waitingTasks.all({ service }) as string[];
}

/** Whether a job of the service is due at `now` outside the gates: one task after another. */
export function hasWaiting(sql: Statements, service: string, now: number): boolean {
  return waitingTasks(sql, service).some((task) => (sql.hasWaitingOfTask.get({ service, task, now }) as { waiting: number }).waiting === 1);
}

/** The earliest run_at among the service's waiting jobs outside the gates, or null. */
export function nextRunAt(sql: Statements, service: string): number | null {
  let earliest: number | null = null;
  for (const task of waitingTasks(sql, service)) {
    const runAt = (sql.nextRunAtOfTask.get({ service, task }) as { run_at: number | null }).run_at;
    if (runAt !== null && (earliest === null || runAt < earliest)) earliest = runAt;
  }
  return earliest;
}
