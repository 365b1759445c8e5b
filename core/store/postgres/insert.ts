import type { JobRecord } from '../../jobs/job.js';
import type { NewJob } from '../job-store.js';
import { decodedJson, jsonText, toJobRecord, type JobRow } from '../job-row.js';
import { WAITING_SQL, isWaiting } from '../status-sets.js';
import { afterAnnounce, afterNotify, announceAdded, notify } from './notify.js';
import type { PostgresContext } from './postgres-context.js';
import { sqlText } from './tables.js';

const insertText = sqlText(({ jobs }) => `
      WITH inserted AS (
        INSERT INTO ${jobs} (service, task, input, status, max_attempts, created, run_at, schedule, timeout_ms, priority, gate)
        SELECT service, task, input::jsonb, status, max_attempts, created, run_at, schedule::jsonb, timeout_ms, priority, gate
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::bigint[], $7::bigint[], $8::text[], $9::bigint[], $10::smallint[], $11::text[])
          WITH ORDINALITY AS n(service, task, input, status, max_attempts, created, run_at, schedule, timeout_ms, priority, gate, position)
        ORDER BY position
        RETURNING *
      ), ${notify('inserted', WAITING_SQL)}, ${announceAdded('inserted')}
      SELECT * FROM inserted WHERE ${afterNotify} AND ${afterAnnounce}`);

/** Inserts the jobs in one statement and wakes the services of those that wait. */
export async function insertJobs(ctx: PostgresContext, jobs: NewJob[]): Promise<JobRecord[]> {
  if (jobs.length === 0) return [];
  const { rows } = await ctx.query<JobRow>({
    name: 'remotetask-insert',
    text: insertText(ctx.tables),
    values: [
      jobs.map((job) => job.service),
      jobs.map((job) => job.task),
      jobs.map((job) => jsonText(job.input)),
      jobs.map((job) => job.status),
      jobs.map((job) => job.maxAttempts),
      jobs.map((job) => job.created),
      jobs.map((job) => job.runAt),
      jobs.map((job) => jsonText(job.schedule)),
      jobs.map((job) => job.timeout ?? null),
      jobs.map((job) => job.priority ?? 0),
      jobs.map((job) => job.gate ?? null),
    ],
  });
  // Identities are drawn in input order, so id order is the order the caller gave.
  rows.sort((a, b) => a.id - b.id);
  ctx.wakeLocally(rows.filter((row) => isWaiting(row.status)).map((row) => row.service));
  return rows.map((row) => toJobRecord(row, decodedJson));
}
