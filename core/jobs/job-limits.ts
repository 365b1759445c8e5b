/**
 * The bounds of the numbers a job is added with, the same for every store and every way in (the
 * TaskService API, REST, XML-RPC, the dashboard): a timer of Node fires at once from 2^31 ms on,
 * and a run time past what a store's columns hold would be a job that never runs.
 */

/** The longest `timeout` of a job (ms): the longest timer Node keeps, about 24.8 days. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The longest `delay` of a delayed job (s): 100 years. */
export const MAX_DELAY_SECONDS = 100 * 365.25 * 24 * 60 * 60;

/** The largest job id a request may name: larger ones are no job, and no number JSON holds exactly. */
export const MAX_JOB_ID = Number.MAX_SAFE_INTEGER;

export const timeoutTooLong = (timeout: number) =>
  `timeout must be an integer number of milliseconds from 1 to ${MAX_TIMEOUT_MS} (about 24.8 days, the longest timer Node keeps); got ${timeout}`;

export const delayTooLong = (delay: number) => `delay must be a positive number of seconds, at most ${MAX_DELAY_SECONDS} (100 years); got ${delay}`;

/** A job's priority: lower runs first, 0 by default; the range PostgreSQL's smallint holds, the same on every store. */
export const MIN_PRIORITY = -32768;
export const MAX_PRIORITY = 32767;

export const priorityOutOfRange = (priority: unknown) =>
  `priority must be an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY} (lower runs first, 0 by default); got ${JSON.stringify(priority)}`;
