import { WAITING_SQL } from './status-sets.js';

/*
 * The claim index orders a service's waiting jobs by (priority, run_at, id): the claim reads it in
 * that order. "The earliest run_at" is then no longer the index's first entry, so hasWaiting and
 * nextRunAt walk the distinct priorities instead (a loose index scan: one probe per priority in
 * use, and one for the earliest run_at within each), which stays a handful of index probes however
 * many jobs wait. The same SQL runs on PostgreSQL and SQLite; `service` is the parameter's name.
 * SQLite's claim index begins with the task (see sqlite/waiting-tasks.ts): there `task` names the
 * task's parameter, and the statement answers for that task's jobs.
 */

// Gated jobs (a limit, a serial queue) are not in the claim indexes: see gate-rules.ts.
const waitingOf = (jobs: string, service: string, task?: string) =>
  `${jobs}.service = ${service}${task === undefined ? '' : ` AND ${jobs}.task = ${task}`} AND ${WAITING_SQL} AND ${jobs}.locked_by IS NULL AND ${jobs}.gate IS NULL`;

function levels(jobs: string, service: string, task?: string): string {
  return `
      WITH RECURSIVE levels(priority) AS (
        SELECT (SELECT ${jobs}.priority FROM ${jobs} WHERE ${waitingOf(jobs, service, task)} ORDER BY ${jobs}.priority LIMIT 1)
        UNION ALL
        SELECT (SELECT ${jobs}.priority FROM ${jobs} WHERE ${waitingOf(jobs, service, task)} AND ${jobs}.priority > levels.priority
                ORDER BY ${jobs}.priority LIMIT 1)
        FROM levels WHERE levels.priority IS NOT NULL
      )`;
}

const earliestAt = (jobs: string, service: string, task?: string) =>
  `(SELECT ${jobs}.run_at FROM ${jobs} WHERE ${waitingOf(jobs, service, task)} AND ${jobs}.priority = levels.priority
    ORDER BY ${jobs}.run_at LIMIT 1)`;

/** One row, `run_at`: the earliest run_at among the service's (or the task's) waiting jobs, or NULL. */
export function nextRunAtSql(jobs: string, service: string, task?: string): string {
  return `${levels(jobs, service, task)}
      SELECT min(${earliestAt(jobs, service, task)}) AS run_at FROM levels WHERE levels.priority IS NOT NULL`;
}

/** One row, `waiting`: whether a job of the service (or of the task) is due at `now` (1/0 on SQLite). */
export function hasWaitingSql(jobs: string, service: string, now: string, task?: string): string {
  return `${levels(jobs, service, task)}
      SELECT EXISTS (SELECT 1 FROM levels WHERE levels.priority IS NOT NULL AND ${earliestAt(jobs, service, task)} <= ${now}) AS waiting`;
}
