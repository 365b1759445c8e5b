import type { IsolationOptions } from '../isolation/isolation-options.js';
import { DEFAULT_RETENTION, type RetentionConfig } from './retention/retention-options.js';
import type { LimitOptions } from './limit-options.js';

/** How a task service runs its jobs; every field has a default (see DEFAULT_SERVICE_OPTIONS). */
export interface ServiceOptions {
  /** `simple`: one job at a time, in order. `multi`: up to `maxConcurrency` at once. */
  processor: 'simple' | 'multi';
  maxConcurrency: number;
  /** Runs per job before it ends in `error` (the seed's 3), unless the task says otherwise. */
  maxAttempts: number;
  /** Exponential backoff between attempts: `base * factor^(attempt-1)`, at most `max` (ms). */
  backoff: { base: number; factor: number; max: number };
  /** How long a claim holds without renewal before another worker may take the job (ms). */
  leaseMs: number;
  /** The fallback look at the store when no wake-up came (ms); wake-ups do the real work. */
  pollInterval: number;
  /** On stop, running jobs get this long to finish before they are aborted and handed back (ms). */
  stopTimeout: number;
  /** A task that ignores its abort signal is abandoned after this long (ms). */
  abortGrace: number;
  /**
   * Cron occurrences missed while no worker ran (overdue by more than a minute when processing
   * starts): `run-once` runs one catch-up occurrence, `skip` moves on to the next future one.
   */
  missedCron: 'run-once' | 'skip';
  /** A time limit for every run of this service's jobs (ms); a task's own `timeout` wins. */
  timeout?: number;
  /** The worker pools of its `thread` and `process` tasks: sizes and memory limit. */
  isolation?: IsolationOptions;
  /** How long its finished jobs are kept, by status (see docs/retention.md); `false`: forever. */
  retention: RetentionConfig | false;
  /**
   * Limits by task name (`*`: every task without its own), fleet-wide: at most `concurrency` of
   * its jobs run at once and at most `rate.count` are claimed per `rate.per`, per value of the
   * input's `partitionBy` field when given (docs/limits-and-queues.md).
   */
  limits?: Record<string, LimitOptions>;
}

export const DEFAULT_SERVICE_OPTIONS: ServiceOptions = {
  processor: 'simple',
  maxConcurrency: 4,
  maxAttempts: 3,
  backoff: { base: 1_000, factor: 2, max: 60_000 },
  leaseMs: 30_000,
  pollInterval: 5_000,
  stopTimeout: 10_000,
  abortGrace: 5_000,
  missedCron: 'run-once',
  retention: DEFAULT_RETENTION,
};

/** The delay before the next attempt after `attempts` failed runs. */
export function backoffDelay(options: ServiceOptions, attempts: number): number {
  const { base, factor, max } = options.backoff;
  return Math.round(Math.min(max, base * factor ** Math.max(0, attempts - 1)));
}
