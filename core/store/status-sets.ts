import { CANCELLABLE_STATUSES, HELD_STATUSES, WAITING_STATUSES, type JobStatus } from '../jobs/job.js';

// The status sets of core/jobs/job.ts with the lease rule every store applies to them, for code
// and as SQL. A job is running when a worker holds it in a held status; it is cancelled outright
// from a cancellable status while no worker holds it.

export function isWaiting(status: JobStatus): boolean {
  return WAITING_STATUSES.includes(status);
}

export function isHeld(status: JobStatus): boolean {
  return HELD_STATUSES.includes(status);
}

export function isRunning(status: JobStatus, leased: boolean): boolean {
  return leased && HELD_STATUSES.includes(status);
}

export function isCancellable(status: JobStatus, leased: boolean): boolean {
  return !leased && CANCELLABLE_STATUSES.includes(status);
}

/** `status = 'a'`, or `status IN ('a', 'b')` for several. */
function statusIn(statuses: readonly JobStatus[]): string {
  const quoted = statuses.map((status) => `'${status}'`);
  return quoted.length === 1 ? `status = ${quoted[0]}` : `status IN (${quoted.join(', ')})`;
}

/** Cancellable statuses no worker ever holds a job in, and those it may be held in. */
const NEVER_HELD_CANCELLABLE = CANCELLABLE_STATUSES.filter((status) => !HELD_STATUSES.includes(status));
const HELD_CANCELLABLE = CANCELLABLE_STATUSES.filter((status) => HELD_STATUSES.includes(status));

/** Waiting, as SQL; the claim indexes have the same predicate, so the planners can use them. */
export const WAITING_SQL = statusIn(WAITING_STATUSES);

/** Held, as SQL: a lease holder's outcome, renewal or progress applies only in these. */
export const HELD_SQL = statusIn(HELD_STATUSES);

/**
 * Running, as SQL, led by the lease (both SQL stores keep running jobs out of their status index,
 * in the lease index only: PostgreSQL migration 3, SQLite migration 15).
 */
export const RUNNING_BY_LEASE_SQL = `((${HELD_STATUSES.map((status) => statusIn([status])).join(' OR ')}) AND locked_by IS NOT NULL)`;

/** Cancellable now, as SQL: waiting to be cancelled outright (a leased cron job is running). */
export const CANCELLABLE_SQL = `(${statusIn(NEVER_HELD_CANCELLABLE)} OR (${statusIn(HELD_CANCELLABLE)} AND locked_by IS NULL))`;
