import type { AttemptOutcome, JobAttempt } from '../jobs/job-attempt.js';
import type { JobOutcome } from './job-store.js';

// The bounds of a job's attempt history, the same in every store: a cron job runs forever and a
// task may throw a megabyte of stack, so both the count and each entry's size are capped.

/** The newest attempts kept per job; older ones are removed as new ones come. */
export const ATTEMPTS_KEPT = 25;
/** The longest error message an attempt keeps (characters). */
export const ATTEMPT_ERROR_CHARS = 2_048;
/** The longest stack an attempt keeps (characters). */
export const ATTEMPT_STACK_CHARS = 8_192;

/**
 * A run that completed its job is not an entry of the job's history: the job's row holds it
 * (attempts, started, completed and finished_by, the worker that completed it), and the history is
 * read with it. Only that completion sets finished_by, and a completed job never runs again, so the
 * row holds at most one such run; a cron job's runs, which do not end it, are entries.
 * As SQL: columns of the jobs table, named as the history's.
 */
export const COMPLETED_IN_ROW =
  `attempts AS attempt, started, completed AS ended, finished_by AS worker_id, 'completed' AS outcome, NULL AS error, NULL AS error_stack`;

/** What an attempt whose lease ran out says: the worker never reported. */
export const LOST_ATTEMPT_ERROR = 'the worker running this attempt was lost (its lease expired before it reported)';

/** Text cut to `max` characters, as the stores keep it. */
export function capped(text: string | null | undefined, max: number): string | null {
  if (text === null || text === undefined) return null;
  return text.length <= max ? text : text.slice(0, max);
}

/** The attempt a worker's outcome records, given the run's attempt number and start. */
export function attemptOf(outcome: JobOutcome, attempt: number, started: number | null): JobAttempt {
  const error = 'error' in outcome ? outcome.error : null;
  const stack = 'errorStack' in outcome ? outcome.errorStack : null;
  return {
    attempt,
    started,
    ended: outcome.now,
    workerId: outcome.workerId,
    outcome: outcome.kind,
    error: capped(error, ATTEMPT_ERROR_CHARS),
    errorStack: capped(stack, ATTEMPT_STACK_CHARS),
  };
}

/** The attempt a lease recovery records for a run whose worker was lost. */
export function lostAttempt(workerId: string, attempt: number, started: number | null, now: number): JobAttempt {
  return { attempt, started, ended: now, workerId, outcome: 'lost', error: LOST_ATTEMPT_ERROR, errorStack: null };
}

/** A stored attempt row (both SQL stores) → the record. */
export interface AttemptRow {
  attempt: number;
  started: number | null;
  ended: number;
  worker_id: string;
  outcome: string;
  error: string | null;
  error_stack: string | null;
}

export function toJobAttempt(row: AttemptRow): JobAttempt {
  return {
    attempt: Number(row.attempt),
    started: row.started === null ? null : Number(row.started),
    ended: Number(row.ended),
    workerId: row.worker_id,
    outcome: row.outcome as AttemptOutcome,
    error: row.error,
    errorStack: row.error_stack,
  };
}
