import type { Database } from 'better-sqlite3';
import type { JobRecord } from '../../jobs/job.js';
import type { RetryQuery } from '../job-store.js';
import { parseJsonText, toJobRecord, type JobRow } from '../job-row.js';
import { keyFreeForRetrySql, retryKeyHolderSql } from '../key-rules.js';
import { KeyTakenError } from '../key-taken-error.js';
import { RETRY_BATCH, RETRY_SET, isRetryable, retryStatuses, retryableSql } from '../retry-rules.js';
import type { WakeHub } from '../wake-hub.js';
import { INDEXED_STATUS } from './jobs-sql.js';
import { LET_GO_FOR_RETRY_SQL, RETAKE_KEY_SET } from './held-keys.js';
import { transaction, type Prepared } from './sqlite-statements.js';

const RETRYABLE = retryableSql(`json_extract(schedule, '$.delay')`);

/**
 * Retry: one job, or the service's matching jobs a batch at a time (found through the status index).
 * A job whose key another job holds now is left as it is; one that takes its key again first has
 * the key's last taker let go of it if that job no longer holds it (see held-keys.ts).
 */
export const RETRY_SQL = {
  retryOne: `UPDATE jobs AS r SET ${RETRY_SET}, ${RETAKE_KEY_SET} WHERE id = @id AND ${RETRYABLE} AND ${keyFreeForRetrySql('r', 'jobs', 'held_key')} RETURNING *`,
  retryKeyHolder: retryKeyHolderSql('jobs', ['@service', '@key', '@id'], 'held_key'),
  letGoForRetry: LET_GO_FOR_RETRY_SQL,
  // Named: ordered by id, the planner may prefer walking every job of the service (most of them
  // completed) to sorting the failed ones the status index finds. Its predicate spelled out, so
  // that the index applies.
  retryCandidates: `
    SELECT id, service, job_key FROM jobs AS r INDEXED BY jobs_service_status
    WHERE service = @service AND status IN (SELECT value FROM json_each(@statuses))
      AND (@task IS NULL OR task = @task) AND ${RETRYABLE} AND ${keyFreeForRetrySql('r', 'jobs', 'held_key')} AND ${INDEXED_STATUS}
    ORDER BY id LIMIT ${RETRY_BATCH}`,
  retryIds: `UPDATE jobs SET ${RETRY_SET}, ${RETAKE_KEY_SET} WHERE id IN (SELECT value FROM json_each(@ids))`,
} as const;

type Statements = Prepared<typeof RETRY_SQL> & { get: Prepared<{ get: string }>['get'] };

export function retryJob(db: Database, sql: Statements, wakes: WakeHub, id: number): JobRecord | undefined {
  const retry = transaction(db, () => {
    const row = sql.get.get(id) as JobRow<string> | undefined;
    if (row?.job_key == null) return (sql.retryOne.get({ id }) as JobRow<string> | undefined) ?? row;
    const key = { service: row.service, key: row.job_key, id };
    sql.letGoForRetry.run(key);
    const retried = sql.retryOne.get({ id }) as JobRow<string> | undefined;
    if (retried) return retried;
    if (isRetryable(row.status, row.locked_by !== null, row.schedule)) {
      const holder = sql.retryKeyHolder.get(key) as { id: number } | undefined;
      if (holder) throw new KeyTakenError(id, row.service, row.job_key, holder.id);
    }
    return row;
  });
  const row = retry.immediate();
  if (row?.status === 'queued') wakes.wake(row.service);
  return row && toJobRecord(row, parseJsonText);
}

export function retryAllJobs(db: Database, sql: Statements, wakes: WakeHub, query: RetryQuery): number {
  const values = { service: query.service, statuses: JSON.stringify(retryStatuses(query)), task: query.task ?? null };
  // One transaction per batch: a worker's claim gets the file between two batches.
  const candidates = () => sql.retryCandidates.all(values) as { id: number; service: string; job_key: string | null }[];
  const letGoFor = ({ id, service, job_key }: ReturnType<typeof candidates>[number]) => {
    if (job_key !== null) sql.letGoForRetry.run({ service, key: job_key, id });
  };
  const batch = transaction(db, () => {
    const jobs = candidates();
    for (const job of jobs) letGoFor(job);
    return sql.retryIds.run({ ids: JSON.stringify(jobs.map(({ id }) => id)) }).changes;
  });
  // Two jobs of a batch that would take one key: that batch one job at a time, the refused left as they are.
  const oneByOne = transaction(db, () => {
    let retried = 0;
    for (const job of candidates()) {
      letGoFor(job);
      if ((sql.retryOne.get({ id: job.id }) as JobRow<string> | undefined)?.status === 'queued') retried += 1;
    }
    return retried;
  });
  let retried = 0;
  for (;;) {
    let changes: number;
    try {
      changes = batch.immediate();
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw error;
      changes = oneByOne.immediate();
      if (changes === 0) return retried;
    }
    retried += changes;
    if (changes > 0) wakes.wake(query.service);
    if (changes < RETRY_BATCH) return retried;
  }
}
