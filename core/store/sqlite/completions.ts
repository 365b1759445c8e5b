import type { Database, Statement } from 'better-sqlite3';
import type { MinuteCompletions } from '../job-store.js';
import { MINUTE_MS } from '../completions-rules.js';

// Finished jobs per minute of their completion time (see the PostgreSQL statement): the WHERE
// clause is the shape of a (service, status, completed) index. Prepared once per database.
const COMPLETIONS_SQL = `
  SELECT (completed / ${MINUTE_MS}) * ${MINUTE_MS} AS start,
         sum(status = 'completed') AS completed,
         sum(status = 'error') AS failed
  FROM jobs
  WHERE service = ? AND status IN ('completed', 'error') AND completed >= ?
  GROUP BY 1 ORDER BY 1`;

const prepared = new WeakMap<Database, Statement<[string, number]>>();

export function completionsPerMinute(db: Database, service: string, since: number): MinuteCompletions[] {
  let statement = prepared.get(db);
  if (!statement) prepared.set(db, (statement = db.prepare<[string, number]>(COMPLETIONS_SQL)));
  // A fractional completion time (not written today, but the column allows one) rounds down too.
  return (statement.all(service, since) as MinuteCompletions[]).map((row) => ({
    start: Math.floor(row.start / MINUTE_MS) * MINUTE_MS,
    completed: row.completed,
    failed: row.failed,
  }));
}
