import { hasWaitingSql, nextRunAtSql } from '../priority-levels.js';
import { WAITING_SQL } from '../status-sets.js';
import { CLAIMED_COLUMNS, ID, PRIORITY, RUN_AT, type ClaimedRow } from './claimed-rows.js';
import type { Prepared } from './sqlite-statements.js';

// SQLite has one claim index, (service, task, priority, run_at, id) (migration 16): a claim reads
// each task's due jobs from it, so the jobs of other tasks are never read (an agent's claim), and
// a claim of any task reads the tasks that have waiting jobs first, by one probe per task.

const DUE_OF_TASK = `FROM jobs INDEXED BY jobs_task_due
    WHERE service = @service AND task = @task AND ${WAITING_SQL} AND run_at <= @now AND locked_by IS NULL AND gate IS NULL
    ORDER BY priority, run_at, id LIMIT @limit`;
// The index's predicate, for the loose scan of its tasks.
const IN_CLAIM_INDEX = `service = @service AND ${WAITING_SQL} AND gate IS NULL`;

export const CLAIM_OF_TASKS_SQL = {
  dueOfTask: `SELECT ${CLAIMED_COLUMNS} ${DUE_OF_TASK}`,
  dueKeysOfTask: `SELECT id, priority, run_at ${DUE_OF_TASK}`,
  dueByIds: `SELECT ${CLAIMED_COLUMNS} FROM jobs WHERE id IN (SELECT value FROM json_each(@ids))`,
  waitingTasks: `
    WITH RECURSIVE tasks(task) AS (
      SELECT (SELECT task FROM jobs INDEXED BY jobs_task_due WHERE ${IN_CLAIM_INDEX} ORDER BY task LIMIT 1)
      UNION ALL
      SELECT (SELECT task FROM jobs INDEXED BY jobs_task_due WHERE ${IN_CLAIM_INDEX} AND task > tasks.task ORDER BY task LIMIT 1)
      FROM tasks WHERE tasks.task IS NOT NULL
    )
    SELECT task FROM tasks WHERE task IS NOT NULL`,
  hasWaitingOfTask: hasWaitingSql('jobs', '@service', '@now', '@task'),
  nextRunAtOfTask: nextRunAtSql('jobs', '@service', '@task'),
} as const;

type Statements = Prepared<typeof CLAIM_OF_TASKS_SQL>;

const claimOrder = (a: [number, number, number], b: [number, number, number]) => a[1] - b[1] || a[2] - b[2] || a[0] - b[0];
const rowOrder = (a: ClaimedRow, b: ClaimedRow) => a[PRIORITY] - b[PRIORITY] || a[RUN_AT] - b[RUN_AT] || a[ID] - b[ID];

/** The tasks of the service that have jobs in the claim index (waiting, not gated), in name order. */
export function waitingTasks(sql: Statements, service: string): string[] {
  return sql.waitingTasks.all({ service }) as string[];
}

/**
 * The `limit` most urgent due jobs of `tasks` (priority, then runAt, then id), not yet leased.
 * One task: its rows straight from the index. Several: each task's first `limit` positions, the
 * most urgent of them read whole (no row of a task read only to be dropped).
 */
export function dueOfTasks(sql: Statements, params: { service: string; now: number; limit: number }, tasks: readonly string[]): ClaimedRow[] {
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
