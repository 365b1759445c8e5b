import type { JobStatus } from '../jobs/job.js';

// What retention removes, for every store: finished jobs of one service and status, oldest end
// first, a batch at a time. A job whose `finished` key is still held is kept until its key
// period is over, so that retention never lets a key be taken again early.

/** The statuses retention sweeps: a job's end states. A cron job (`cronjob`) never ends, so it is never swept. */
export const FINISHED_STATUSES = ['completed', 'error', 'cancelled'] as const;
export type FinishedStatus = (typeof FINISHED_STATUSES)[number];

/** Finished, as SQL: the predicate of both SQL stores' finished-jobs index, word for word, so that a query that spells it out may use the index. */
export const FINISHED_SQL = `status IN (${FINISHED_STATUSES.map((status) => `'${status}'`).join(', ')})`;

export function isFinishedStatus(status: JobStatus | string): status is FinishedStatus {
  return (FINISHED_STATUSES as readonly string[]).includes(status);
}

/** A finished job's place in the order retention reads: by end time, then id. */
export interface FinishedPosition {
  completed: number;
  id: number;
}

/** Before every position: where a sweep starts. */
export const FIRST_POSITION: FinishedPosition = { completed: Number.MIN_SAFE_INTEGER, id: Number.MIN_SAFE_INTEGER };

/** One write of a sweep: `removeFinished` looks at up to `limit` jobs after `after` and before `before`. */
export interface RetentionBatch {
  service: string;
  status: FinishedStatus;
  /** Jobs at or past this position are kept. */
  before: FinishedPosition;
  /** Where the previous batch stopped (its `last`); null: from the oldest. */
  after: FinishedPosition | null;
  /** Key periods are measured at `now`. */
  now: number;
  /** How many jobs the batch looks at (and so removes at most). */
  limit: number;
}

export interface RetentionBatchResult {
  removed: number;
  /** The last position the batch looked at when it looked at `limit` jobs (more may follow); null when none is left. */
  last: FinishedPosition | null;
}

/** Jobs one statement of a sweep looks at: each batch is its own short transaction, so claims are not held up. */
export const RETENTION_BATCH = 1_000;

/** -1, 0 or 1 as `a` comes before, with or after `b`. */
export function comparePositions(a: FinishedPosition, b: FinishedPosition): number {
  if (a.completed !== b.completed) return a.completed < b.completed ? -1 : 1;
  return a.id === b.id ? 0 : a.id < b.id ? -1 : 1;
}

/** A job kept for its key: its `finished` key period has not run out at `now`. As SQL (never NULL: a plain job has no key scope), `now` naming the parameter. */
export const keptForKeySql = (now: string) =>
  `(key_scope IS NOT NULL AND key_scope = 'finished' AND completed + coalesce(key_period_ms, 0) > ${now})`;

export function keptForKey(row: { key_scope?: string | null; completed: number | null; key_period_ms?: number | null }, now: number): boolean {
  return row.key_scope === 'finished' && (row.completed ?? 0) + (row.key_period_ms ?? 0) > now;
}
