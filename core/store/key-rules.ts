import type { JobRow } from './job-row.js';

/*
 * When a job holds its key, for every store: the predicate of PostgreSQL's unique index of
 * (service, job_key), of SQLite's reads of a key's last taker (sqlite/held-keys.ts), and the same
 * rule in code for the memory store and SQLite's keyed add. The status alone decides,
 * so no claim, finish or cancel has to touch the key: a `waiting` key is let go when the job first
 * starts (`started` is set then, and stays set), a `running` one when the job ends. A `finished`
 * key is held until an insert finds its period over and marks it `expired`.
 */

/** The unique index's predicate, word for word as PostgreSQL's migration creates it (an upsert must name it so). */
export const KEY_HELD_SQL =
  `job_key IS NOT NULL AND (` +
  `(key_scope = 'waiting' AND (status = 'cronjob' OR (status IN ('queued', 'start later', 'delayed') AND started IS NULL))) ` +
  `OR (key_scope = 'running' AND status NOT IN ('completed', 'error', 'cancelled')) ` +
  `OR key_scope = 'finished')`;

/** A `finished` key whose period is over (its job ended at least `key_period_ms` before `now`), as SQL; `now` names the parameter. */
export const keyExpiredSql = (now: string) =>
  `key_scope = 'finished' AND status IN ('completed', 'error', 'cancelled') AND completed + coalesce(key_period_ms, 0) <= ${now}`;

type KeyColumns = Pick<JobRow, 'job_key' | 'key_scope' | 'key_period_ms' | 'status' | 'started' | 'completed'>;

export function holdsKey(row: KeyColumns): boolean {
  if (row.job_key === null) return false;
  switch (row.key_scope) {
    case 'waiting':
      return row.status === 'cronjob' || (row.started === null && ['queued', 'start later', 'delayed'].includes(row.status));
    case 'running':
      return !['completed', 'error', 'cancelled'].includes(row.status);
    case 'finished':
      return true;
    default:
      return false;
  }
}

export function keyExpired(row: KeyColumns, now: number): boolean {
  return row.key_scope === 'finished' && ['completed', 'error', 'cancelled'].includes(row.status) && (row.completed ?? 0) + (row.key_period_ms ?? 0) <= now;
}

/** The statuses in which `replace` may give a job new input and schedule: it waits, no worker holds it. */
export const REPLACEABLE_STATUSES = ['queued', 'start later', 'delayed', 'cronjob'] as const;

/**
 * A retried job waits as a fresh one, so it takes its key again unless the key was let go for good
 * (`expired`). As SQL: whether no other job holds the key the row `r` would take. The holder is
 * found through the store's unique index: PostgreSQL's is over `job_key` (its predicate is
 * KEY_HELD_SQL), SQLite's over `held_key` (sqlite/held-keys.ts); `keyColumn` names it.
 */
export const keyFreeForRetrySql = (r: string, jobs: string, keyColumn = 'job_key') =>
  `(${r}.job_key IS NULL OR ${r}.key_scope = 'expired' OR NOT EXISTS (` +
  `SELECT 1 FROM ${jobs} k WHERE k.service = ${r}.service AND k.${keyColumn} = ${r}.job_key AND k.id <> ${r}.id AND ${KEY_HELD_SQL}))`;

/** The job holding the key a retry of job `id` would take, as SQL: parameters service, key, id. */
export const retryKeyHolderSql = (jobs: string, p: [string, string, string], keyColumn = 'job_key') =>
  `SELECT id FROM ${jobs} WHERE service = ${p[0]} AND ${keyColumn} = ${p[1]} AND id <> ${p[2]} AND ${KEY_HELD_SQL} LIMIT 1`;
