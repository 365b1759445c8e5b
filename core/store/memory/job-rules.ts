import type { JobStatus } from '../../jobs/job.js';
import type { JobOutcome } from '../job-store.js';
import type { JobRow } from '../job-row.js';
import { jsonText } from '../job-row.js';
import { LOST_WORKER_ERROR } from '../store-rules.js';
import { isCancellable, isHeld, isRunning, isWaiting } from '../status-sets.js';

// The rules of a job's run as the memory store applies them to its rows: the same rules as the
// SQL of the other stores.

/** A job row as the memory store keeps it: JSON as text, as the durable stores keep it. */
export type MemoryRow = JobRow<string> & { cancel_requested: boolean };

export function isClaimable(job: MemoryRow): boolean {
  return isWaiting(job.status) && job.locked_by === null;
}

export function isHeldBy(job: MemoryRow, workerId: string): boolean {
  return job.locked_by === workerId && isHeld(job.status);
}

/**
 * A cancel requested while the job ran wins over any outcome that would make it wait again
 * (retry, release, a cron job's next occurrence): the job ends `cancelled` instead.
 */
export function applyOutcome(job: MemoryRow, outcome: JobOutcome): void {
  const cron = job.status === 'cronjob';
  const now = outcome.now;
  /** A cron job's run ended: it waits for its next occurrence, unless a cancel came meanwhile. */
  const cronRunEnded = (): JobStatus => {
    job.attempts = 0;
    return job.cancel_requested ? 'cancelled' : 'cronjob';
  };
  job.locked_by = null;
  job.locked_until = null;
  switch (outcome.kind) {
    case 'completed':
      job.result = jsonText(outcome.result);
      job.error = null;
      job.error_stack = null;
      job.completed = now;
      job.status = cron ? cronRunEnded() : 'completed';
      return;
    case 'failed':
      job.error = outcome.error;
      job.error_stack = outcome.errorStack;
      job.completed = now;
      job.status = cron ? cronRunEnded() : 'error';
      return;
    case 'retry':
      job.error = outcome.error;
      job.error_stack = outcome.errorStack;
      if (job.cancel_requested) {
        job.status = 'cancelled';
        job.completed = now;
      } else if (cron) {
        // Retry sooner, but never skip the occurrence the claim already scheduled.
        job.run_at = Math.min(job.run_at, outcome.runAt);
      } else {
        job.status = 'queued';
        job.run_at = outcome.runAt;
      }
      return;
    case 'cancelled':
      job.status = 'cancelled';
      job.completed = now;
      job.error = outcome.error;
      job.error_stack = null;
      return;
    case 'released':
      job.attempts = Math.max(0, job.attempts - 1);
      if (job.cancel_requested) {
        job.status = 'cancelled';
        job.completed = now;
      } else if (cron) {
        job.run_at = now;
      } else {
        job.status = 'queued';
        job.run_at = 0;
      }
      return;
  }
}

/** A job whose lease expired: back to the queue with the attempt spent, or failed with none left. */
export function recoverLease(job: MemoryRow, now: number): void {
  const cron = job.status === 'cronjob';
  job.locked_by = null;
  job.locked_until = null;
  if (job.cancel_requested && (cron || job.status === 'processing')) {
    job.status = 'cancelled';
    job.completed = now;
  } else if (job.status === 'processing') {
    if (job.attempts < job.max_attempts) {
      job.status = 'queued';
      job.run_at = 0;
    } else {
      job.status = 'error';
      job.error = LOST_WORKER_ERROR;
      job.error_stack = null;
      job.completed = now;
    }
  }
}

/**
 * Cancels a waiting job or flags a running one. Returns `'flagged'` when a running job newly got
 * its cancel request, `'cancelled'` for a waiting job cancelled outright, `'requested'` for a
 * running job already flagged, and false when it did nothing (a final job).
 */
export function cancelJob(job: MemoryRow, now: number): 'flagged' | 'requested' | 'cancelled' | false {
  const leased = job.locked_by !== null;
  if (isRunning(job.status, leased)) {
    if (job.cancel_requested) return 'requested';
    job.cancel_requested = true;
    return 'flagged';
  }
  if (isCancellable(job.status, leased)) {
    job.status = 'cancelled';
    job.completed = now;
    return 'cancelled';
  }
  return false;
}
