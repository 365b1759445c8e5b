import { MAX_TIMEOUT_MS, timeoutTooLong } from './job-limits.js';

/** A job's own time limit (ms) checked, or null for none. */
export function checkedTimeout(timeout: number | undefined): number | null {
  if (timeout === undefined) return null;
  if (!Number.isInteger(timeout) || timeout < 1) {
    throw new RangeError(`timeout must be a whole number of milliseconds, at least 1; got ${JSON.stringify(timeout)}`);
  }
  if (timeout > MAX_TIMEOUT_MS) throw new RangeError(timeoutTooLong(timeout));
  return timeout;
}
