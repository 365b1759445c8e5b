/** A minute of completions is keyed by its start: the completion time rounded down to the minute (ms). */
export const MINUTE_MS = 60_000;

/** The statuses a finished job ends in, as `completionsPerMinute` counts them. */
export const FINISHED_STATUSES = ['completed', 'error'] as const;
