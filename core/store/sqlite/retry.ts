import type { Database } from 'better-sqlite3';
import type { JobRecord } from '../../jobs/job.js';
import type { RetryQuery } from '../job-store.js';
import { parseJsonText, toJobRecord, type JobRow } from '../job-row.js';
import { RETRY_BATCH, RETRY_SET, retryStatuses, retryableSql } from '../retry-rules.js';
import type { WakeHub } from '../wake-hub.js';
import type { Prepared } from './sqlite-statements.js';

const RETRYABLE = retryableSql(`json_extract(schedule, '$.delay')`);

/** Retry: one job, or the service's matching jobs a batch at a time (found through the status index). */
export const RETRY_SQL = {
  retryOne: `UPDATE jobs SET ${RETRY_SET} WHERE id = @id AND ${RETRYABLE} RETURNING *`,
  retryBatch: `
    UPDATE jobs SET ${RETRY_SET}
    WHERE id IN (
      SELECT id FROM jobs
      WHERE service = @service AND status IN (SELECT value FROM json_each(@statuses))
        AND (@task IS NULL OR task = @task) AND ${RETRYABLE}
      ORDER BY id LIMIT ${RETRY_BATCH})`,
} as const;

type Statements = Prepared<typeof RETRY_SQL> & { get: Prepared<{ get: string }>['get'] };

export function retryJob(sql: Statements, wakes: WakeHub, id: number): JobRecord | undefined {
  const row = (sql.retryOne.get({ id }) ?? sql.get.get(id)) as JobRow<string> | undefined;
  if (row?.status === 'queued') wakes.wake(row.service);
  return row && toJobRecord(row, parseJsonText);
}

export function retryAllJobs(db: Database, sql: Statements, wakes: WakeHub, query: RetryQuery): number {
  const values = { service: query.service, statuses: JSON.stringify(retryStatuses(query)), task: query.task ?? null };
  // One transaction per batch: a worker's claim gets the file between two batches.
  const batch = db.transaction(() => sql.retryBatch.run(values).changes);
  let retried = 0;
  for (;;) {
    const changes = batch.immediate();
    retried += changes;
    if (changes > 0) wakes.wake(query.service);
    if (changes < RETRY_BATCH) return retried;
  }
}
