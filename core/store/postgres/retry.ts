import type { JobRecord } from '../../jobs/job.js';
import type { RetryQuery } from '../job-store.js';
import { decodedJson, toJobRecord, type JobRow } from '../job-row.js';
import { keyFreeForRetrySql, retryKeyHolderSql } from '../key-rules.js';
import { KeyTakenError } from '../key-taken-error.js';
import { RETRY_BATCH, RETRY_SET, isRetryable, retryStatuses, retryableSql } from '../retry-rules.js';
import { getJob } from './manage.js';
import { afterNotify, notify } from './notify.js';
import type { PostgresContext } from './postgres-context.js';
import { sqlText } from './tables.js';

const RETRYABLE = retryableSql(`schedule -> 'delay'`);

// A job whose key another job holds now is left as it is: the unique index would refuse it.
const retryText = sqlText(({ jobs }) => `
      WITH retried AS (
        UPDATE ${jobs} r SET ${RETRY_SET}
        WHERE id = $1 AND ${RETRYABLE} AND ${keyFreeForRetrySql('r', jobs)}
        RETURNING *
      ), ${notify('retried', 'true')}
      SELECT * FROM retried WHERE ${afterNotify}`);

const retryKeyHolderText = sqlText(({ jobs }) => retryKeyHolderSql(jobs, ['$1', '$2', '$3']));

export async function retryJob(ctx: PostgresContext, id: number): Promise<JobRecord | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const { rows } = await keyRaceRetried(() => ctx.query<JobRow>({ name: 'remotetask-retry', text: retryText(ctx.tables), values: [id] }));
  if (rows[0]) {
    ctx.wakeLocally([rows[0].service]);
    return toJobRecord(rows[0], decodedJson);
  }
  const job = await getJob(ctx, id);
  if (job?.key != null && isRetryable(job.status, job.lockedBy !== null, job.schedule)) {
    const holder = await ctx.query<{ id: string }>({
      name: 'remotetask-retry-key-holder',
      text: retryKeyHolderText(ctx.tables),
      values: [job.service, job.key, id],
    });
    if (holder.rows[0]) throw new KeyTakenError(id, job.service, job.key, Number(holder.rows[0].id));
  }
  return job;
}

/**
 * Runs a retry statement again when a key was taken between its check and its write (another
 * process added a job with it): the next run sees that job and leaves the retried one out.
 */
async function keyRaceRetried<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!isKeyViolation(error) || attempt >= 3) throw error;
    }
  }
}

const isKeyViolation = (error: unknown) => {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === '23505' && constraint === 'jobs_key_idx';
};

// A batch found through the service-status index; rows another statement holds are skipped
// (they are being changed anyway), so a retry never waits on a claim or a finish.
const retryBatchText = sqlText(({ jobs }) => `
      WITH target AS (
        SELECT id FROM ${jobs} r
        WHERE service = $1 AND status = ANY($2::text[]) AND ($3::text IS NULL OR task = $3) AND ${RETRYABLE}
          AND ${keyFreeForRetrySql('r', jobs)}
        ORDER BY id LIMIT ${RETRY_BATCH}
        FOR UPDATE SKIP LOCKED
      ), retried AS (
        UPDATE ${jobs} j SET ${RETRY_SET}
        FROM target t WHERE j.id = t.id
        RETURNING j.service
      ), ${notify('retried', 'true')}
      SELECT count(*)::int AS count FROM retried WHERE ${afterNotify}`);

export async function retryAllJobs(ctx: PostgresContext, query: RetryQuery): Promise<number> {
  const values = [query.service, retryStatuses(query), query.task ?? null];
  let retried = 0;
  for (;;) {
    let count: number;
    try {
      const { rows } = await ctx.query<{ count: number }>({ name: 'remotetask-retry-batch', text: retryBatchText(ctx.tables), values });
      count = rows[0].count;
    } catch (error) {
      if (!isKeyViolation(error)) throw error;
      // Two jobs of the batch would take one key (or a process took one meanwhile): this batch one
      // job at a time, each refused one left as it is.
      count = await retryOneByOne(ctx, values);
      if (count === 0) return retried;
    }
    retried += count;
    if (count > 0) ctx.wakeLocally([query.service]);
    if (count < RETRY_BATCH) return retried;
  }
}

const retryCandidatesText = sqlText(({ jobs }) => `
      SELECT id FROM ${jobs} r
      WHERE service = $1 AND status = ANY($2::text[]) AND ($3::text IS NULL OR task = $3) AND ${RETRYABLE}
        AND ${keyFreeForRetrySql('r', jobs)}
      ORDER BY id LIMIT ${RETRY_BATCH}`);

async function retryOneByOne(ctx: PostgresContext, values: unknown[]): Promise<number> {
  const { rows } = await ctx.query<{ id: string }>({ name: 'remotetask-retry-candidates', text: retryCandidatesText(ctx.tables), values });
  let retried = 0;
  for (const row of rows) {
    const job = await retryJob(ctx, Number(row.id)).catch((error: unknown) => {
      if (error instanceof KeyTakenError) return undefined;
      throw error;
    });
    if (job?.status === 'queued') retried += 1;
  }
  return retried;
}
