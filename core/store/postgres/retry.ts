import type { JobRecord } from '../../jobs/job.js';
import type { RetryQuery } from '../job-store.js';
import { decodedJson, toJobRecord, type JobRow } from '../job-row.js';
import { RETRY_BATCH, RETRY_SET, retryStatuses, retryableSql } from '../retry-rules.js';
import { getJob } from './manage.js';
import { afterNotify, notify } from './notify.js';
import type { PostgresContext } from './postgres-context.js';
import { sqlText } from './tables.js';

const RETRYABLE = retryableSql(`schedule -> 'delay'`);

const retryText = sqlText(({ jobs }) => `
      WITH retried AS (
        UPDATE ${jobs} SET ${RETRY_SET}
        WHERE id = $1 AND ${RETRYABLE}
        RETURNING *
      ), ${notify('retried', 'true')}
      SELECT * FROM retried WHERE ${afterNotify}`);

export async function retryJob(ctx: PostgresContext, id: number): Promise<JobRecord | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const { rows } = await ctx.query<JobRow>({ name: 'remotetask-retry', text: retryText(ctx.tables), values: [id] });
  if (!rows[0]) return getJob(ctx, id);
  ctx.wakeLocally([rows[0].service]);
  return toJobRecord(rows[0], decodedJson);
}

// A batch found through the service-status index; rows another statement holds are skipped
// (they are being changed anyway), so a retry never waits on a claim or a finish.
const retryBatchText = sqlText(({ jobs }) => `
      WITH target AS (
        SELECT id FROM ${jobs}
        WHERE service = $1 AND status = ANY($2::text[]) AND ($3::text IS NULL OR task = $3) AND ${RETRYABLE}
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
    const { rows } = await ctx.query<{ count: number }>({ name: 'remotetask-retry-batch', text: retryBatchText(ctx.tables), values });
    const count = rows[0].count;
    retried += count;
    if (count > 0) ctx.wakeLocally([query.service]);
    if (count < RETRY_BATCH) return retried;
  }
}
