/**
 * How one run of a job ended: the worker's outcome (`completed`, `failed` for good, `retry` to
 * run again, `cancelled`, `snoozed` or `released` without counting), or `lost` when the lease
 * ran out before the worker said anything (it crashed or lost the store).
 */
export const ATTEMPT_OUTCOMES = ['completed', 'failed', 'retry', 'cancelled', 'snoozed', 'released', 'lost'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** One run of a job as its history keeps it (see core/store/attempt-rules.ts for the bounds). */
export interface JobAttempt {
  /** The job's attempt number during this run (1 for the first; a cron job counts from 1 per occurrence). */
  attempt: number;
  /** When the run began (the claim) and ended (the outcome, or the lease recovery), ms since the epoch. */
  started: number | null;
  ended: number;
  /** The worker id that held the job: the process's id in the process registry. */
  workerId: string;
  outcome: AttemptOutcome;
  /** The error's message (at most 2,048 characters) and stack (at most 8,192), null when none. */
  error: string | null;
  errorStack: string | null;
}
