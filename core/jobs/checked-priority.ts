import { MAX_PRIORITY, MIN_PRIORITY, priorityOutOfRange } from './job-limits.js';

/** A job's priority as given, 0 when none is; a RangeError says what a priority may be. */
export function checkedPriority(priority: number | undefined): number {
  if (priority === undefined) return 0;
  if (!Number.isInteger(priority) || priority < MIN_PRIORITY || priority > MAX_PRIORITY) throw new RangeError(priorityOutOfRange(priority));
  return priority;
}
