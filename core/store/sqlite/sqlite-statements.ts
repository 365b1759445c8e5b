import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { JobStatus } from '../../jobs/job.js';
import { isWaiting } from '../status-sets.js';
import type { WakeHub } from '../wake-hub.js';

// What the SQLite statements of every operation share. SET expressions see the row as it was
// before the update, which the CASEs on `status` rely upon.

/** A record of SQL texts, prepared: one statement per name. */
export type Prepared<T> = { readonly [name in keyof T]: Statement };

/** Prepares every statement of `sql` once, at open(). */
export function prepareAll<T extends Record<string, string>>(db: Database, sql: T): Prepared<T> {
  return Object.fromEntries(Object.entries(sql).map(([name, text]) => [name, db.prepare(text)])) as Prepared<T>;
}

const runners = new WeakMap<Database, Transaction<(work: () => unknown) => unknown>>();

/**
 * As `db.transaction(work)`: its `immediate()` runs `work` between BEGIN IMMEDIATE and COMMIT (in a
 * savepoint inside another transaction), and rolls back if it throws. better-sqlite3 builds four
 * wrapper functions per transaction() call; this builds them once per database. For a single add
 * that was 7 % of its time.
 */
export function transaction<T>(db: Database, work: () => T): { immediate(): T } {
  let runner = runners.get(db);
  if (!runner) {
    runner = db.transaction((run: () => unknown) => run());
    runners.set(db, runner);
  }
  const immediate = runner.immediate;
  return { immediate: () => immediate(work) as T };
}

/** What a statement that changed a job returns: enough to wake the job's service when it waits. */
export interface ChangedRow {
  service: string;
  status: JobStatus;
  locked_by: string | null;
  /** A gated job's change may open its gate (a run ended, a queue's head moved on). */
  gate?: string | null;
}

/** SET clause: the job is no longer leased. */
export const UNLOCK = `locked_by = NULL, locked_until = NULL`;

export function wakeIfWaiting(wakes: WakeHub, row: ChangedRow): void {
  if ((isWaiting(row.status) && row.locked_by === null) || row.gate != null) wakes.wake(row.service);
}
