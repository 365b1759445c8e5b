import { MAX_DELAY_SECONDS } from '../jobs/job-limits.js';

const SNOOZE_ERROR = Symbol.for('remotetask.SnoozeError');

/**
 * Thrown by a task (or by `context.snooze(seconds)`) to say "not now, again in N seconds": the job
 * waits `delayed` until then, without counting the attempt or failing. Recognised by a brand, as
 * TaskError is, so a plugin bundling its own copy of remotetask still gets the right behaviour.
 */
export class SnoozeError extends Error {
  readonly [SNOOZE_ERROR] = true;

  constructor(readonly seconds: number) {
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_DELAY_SECONDS) {
      throw new RangeError(`snooze takes a positive number of seconds, at most ${MAX_DELAY_SECONDS} (100 years); got ${String(seconds)}`);
    }
    super(`snoozed for ${seconds} s`);
    this.name = 'SnoozeError';
  }

  static is(error: unknown): error is SnoozeError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[SNOOZE_ERROR] === true;
  }
}
