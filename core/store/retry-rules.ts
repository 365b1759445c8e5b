import { RETRYABLE_STATUSES, type JobStatus, type RetryableStatus } from '../jobs/job.js';
import type { RetryQuery } from './job-store.js';

// The rule of `retry` every store applies, for code and as SQL: a job that ended `error` or
// `cancelled`, no cron job, goes back to `queued` as a fresh job would wait.

/** How many jobs one write of `retryAll` touches: small enough not to hold claims up for long. */
export const RETRY_BATCH = 500;

/** Whether a job in this status with this stored schedule (JSON text or value) may be retried. */
export function isRetryable(status: JobStatus, leased: boolean, schedule: unknown): boolean {
  if (leased || !(RETRYABLE_STATUSES as readonly JobStatus[]).includes(status)) return false;
  if (schedule === null || schedule === undefined) return true;
  const value = typeof schedule === 'string' ? (JSON.parse(schedule) as Record<string, unknown>) : (schedule as Record<string, unknown>);
  return typeof value.delay === 'number';
}

/** The statuses `retryAll` looks at: the query's, or `error` alone. */
export function retryStatuses(query: RetryQuery): RetryableStatus[] {
  return query.status && query.status.length > 0 ? [...query.status] : ['error'];
}

/** SET clause of a retry (both SQL stores). */
export const RETRY_SET = `
        status = 'queued', run_at = 0, attempts = 0, started = NULL, completed = NULL, result = NULL,
        progress = NULL, progress_message = NULL, locked_by = NULL, locked_until = NULL,
        cancel_requested = false`;

/** Retryable, as SQL, given how the backend reads a schedule's `delay` (a cron job has none). */
export function retryableSql(delayOfSchedule: string): string {
  return `status IN ('error', 'cancelled') AND locked_by IS NULL AND (schedule IS NULL OR ${delayOfSchedule} IS NOT NULL)`;
}
