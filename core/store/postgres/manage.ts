import type { JobRecord, JobStatus, Schedule } from '../../jobs/job.js';
import { decodedJson, jsonText, toJobRecord, type JobRow } from '../job-row.js';
import { hasWaitingSql, nextRunAtSql } from '../priority-levels.js';
import { HELD_SQL, WAITING_SQL, isWaiting } from '../status-sets.js';
import { afterNotify, notify } from './notify.js';
import type { PostgresContext } from './postgres-context.js';
import { sqlText } from './tables.js';

// Reading one job, whether a service has work, and the small changes of one job.

const getText = sqlText(({ jobs }) => `SELECT * FROM ${jobs} WHERE id = $1`);

export async function getJob(ctx: PostgresContext, id: number): Promise<JobRecord | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const { rows } = await ctx.query<JobRow>({ name: 'remotetask-get', text: getText(ctx.tables), values: [id] });
  return rows[0] ? toJobRecord(rows[0], decodedJson) : undefined;
}

const hasWaitingText = sqlText(({ jobs }) => hasWaitingSql(jobs, '$1::text', '$2::bigint'));

export async function hasWaiting(ctx: PostgresContext, service: string, now: number): Promise<boolean> {
  const { rows } = await ctx.query<{ waiting: boolean }>({
    name: 'remotetask-has-waiting',
    text: hasWaitingText(ctx.tables),
    values: [service, now],
  });
  return rows[0].waiting;
}

const nextRunAtText = sqlText(({ jobs }) => nextRunAtSql(jobs, '$1::text'));

export async function nextRunAt(ctx: PostgresContext, service: string): Promise<number | null> {
  const { rows } = await ctx.query<{ run_at: number | null }>({
    name: 'remotetask-next-run-at',
    text: nextRunAtText(ctx.tables),
    values: [service],
  });
  return rows[0].run_at;
}

const startText = sqlText(({ jobs }) => `
      WITH started AS (
        UPDATE ${jobs} SET status = 'queued', run_at = 0
        WHERE id = $1 AND status = 'start later'
        RETURNING service
      ), ${notify('started', 'true')}
      SELECT service FROM started WHERE ${afterNotify}`);

export async function startJob(ctx: PostgresContext, id: number): Promise<boolean> {
  if (!Number.isSafeInteger(id)) return false;
  const { rows } = await ctx.query<{ service: string }>({ name: 'remotetask-start', text: startText(ctx.tables), values: [id] });
  ctx.wakeLocally(rows.map((row) => row.service));
  return rows.length > 0;
}

const rescheduleText = sqlText(({ jobs }) => `
      WITH rescheduled AS (
        UPDATE ${jobs} SET run_at = $2, schedule = coalesce($3::jsonb, schedule)
        WHERE id = $1
        RETURNING *
      ), ${notify('rescheduled', `${WAITING_SQL} AND locked_by IS NULL`)}
      SELECT * FROM rescheduled WHERE ${afterNotify}`);

export async function rescheduleJob(ctx: PostgresContext, id: number, runAt: number, schedule?: Schedule): Promise<JobRecord | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const { rows } = await ctx.query<JobRow>({
    name: 'remotetask-reschedule',
    text: rescheduleText(ctx.tables),
    values: [id, runAt, jsonText(schedule)],
  });
  const row = rows[0];
  if (!row) return undefined;
  if (isWaiting(row.status) && row.locked_by === null) ctx.wakeLocally([row.service]);
  return toJobRecord(row, decodedJson);
}

const setProgressText = sqlText(({ jobs }) => `
      UPDATE ${jobs} SET progress = $3, progress_message = $4
      WHERE id = $1 AND locked_by = $2 AND ${HELD_SQL}`);

export async function setProgress(ctx: PostgresContext, id: number, workerId: string, progress: number, message: string | null): Promise<boolean> {
  if (!Number.isSafeInteger(id)) return false;
  const { rowCount } = await ctx.query({
    name: 'remotetask-set-progress',
    text: setProgressText(ctx.tables),
    values: [id, workerId, progress, message],
  });
  return (rowCount ?? 0) > 0;
}

const cleanText = sqlText(({ jobs, completedCounts }) => `
      WITH gone AS (
        DELETE FROM ${jobs}
        -- Only finished jobs are cleaned; saying so lets the planner use the status index for every
        -- status it holds (all but completed, which the BRIN index of the service or a scan finds).
        WHERE service = $1 AND status = ANY($2::text[]) AND status <> 'processing'
        RETURNING status
      ), counted AS (
        INSERT INTO ${completedCounts} (service, delta)
        SELECT $1, -count(*) FROM gone WHERE status = 'completed' HAVING count(*) > 0
      )
      SELECT count(*) AS count, count(*) FILTER (WHERE status = 'completed') AS completed FROM gone`);

export async function cleanJobs(ctx: PostgresContext, service: string, statuses: JobStatus[]): Promise<number> {
  if (statuses.length === 0) return 0;
  const { rows } = await ctx.query<{ count: number; completed: number }>({
    name: 'remotetask-clean',
    text: cleanText(ctx.tables),
    values: [service, statuses],
  });
  if (rows[0].completed > 0) ctx.countDeltasAdded(1);
  return rows[0].count;
}
