import type { JobRecord, JobStatus, Schedule } from '../../jobs/job.js';
import type { ClaimOptions } from '../job-store.js';
import { decodedJson, toJobRecord, type JobRow } from '../job-row.js';
import { NEVER_DUE } from '../store-rules.js';
import { WAITING_SQL } from '../status-sets.js';
import type { PostgresContext } from './postgres-context.js';
import { sqlText } from './tables.js';
import { dueOfTasksText } from './claim-of-tasks.js';

/** What a claim returns: the job less the columns the claim set, and what it overwrote. */
type ClaimedRow = Omit<JobRow, 'service' | 'started' | 'progress' | 'progress_message' | 'locked_by' | 'locked_until'> & {
  previous_status: JobStatus;
  previous_started: number | null;
  previous_progress: number | null;
  previous_progress_message: string | null;
};

// $2 now, $4 workerId, $5 lockedUntil in both claims.
const claimSet = `
      status = CASE WHEN j.status = 'cronjob' THEN 'cronjob' ELSE 'processing' END,
      started = $2,
      attempts = j.attempts + 1,
      locked_by = $4,
      locked_until = $5,
      progress = NULL,
      progress_message = NULL`;
// The columns the claim did not just set (the caller knows those), and what it overwrote, to put
// back if a cron schedule cannot say when it runs next.
const claimReturning = `
      RETURNING j.id, j.task, j.input, j.status, j.result, j.error, j.error_stack, j.attempts, j.max_attempts,
        j.created, j.completed, j.run_at, j.schedule, j.timeout_ms, j.priority, j.job_key, j.cancel_requested,
        due.status AS previous_status, due.started AS previous_started,
        due.progress AS previous_progress, due.progress_message AS previous_progress_message`;
// ctid: the row version just locked, fetched again directly instead of by a primary-key search.
const claimDueColumns = 'ctid, status, started, progress, progress_message';

// In the claim index's order (priority first, then first come first served): one ordered probe.
// SKIP LOCKED: concurrent claimers pass over each other's rows instead of queueing on them.
export const claimText = sqlText(({ jobs }) => `
      WITH due AS (
        SELECT ${claimDueColumns} FROM ${jobs}
        WHERE service = $1 AND ${WAITING_SQL} AND locked_by IS NULL AND gate IS NULL AND run_at <= $2
        ORDER BY priority, run_at, id
        LIMIT $3
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${jobs} j SET ${claimSet}
      FROM due WHERE j.ctid = due.ctid ${claimReturning}`);

// As claimText, from the task index (see claim-of-tasks.ts).
export const claimOfTasksText = sqlText((tables) => `
      WITH due AS (${dueOfTasksText(claimDueColumns)(tables)}
      )
      UPDATE ${tables.jobs} j SET ${claimSet}
      FROM due WHERE j.ctid = due.ctid ${claimReturning}`);

const claimOneText = sqlText(({ jobs }) => `
      WITH due AS (
        SELECT ${claimDueColumns} FROM ${jobs}
        WHERE id = $3 AND service = $1 AND ${WAITING_SQL} AND locked_by IS NULL AND gate IS NULL AND run_at <= $2
          AND ($6::text[] IS NULL OR task = ANY($6::text[]))
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${jobs} j SET ${claimSet}
      FROM due WHERE j.ctid = due.ctid ${claimReturning}`);

const claimOrder = (a: ClaimedRow, b: ClaimedRow) => a.priority - b.priority || a.run_at - b.run_at || a.id - b.id;

/** Takes due jobs and leases them, in one statement; cron jobs then move on to their next occurrence. */
export async function claimJobs(ctx: PostgresContext, options: ClaimOptions): Promise<JobRecord[]> {
  const { service, now, workerId, leaseMs, jobId, tasks } = options;
  const limit = Math.floor(options.limit ?? 1);
  if (!(limit >= 1) || (jobId !== undefined && !Number.isSafeInteger(jobId))) return [];
  const lockedUntil = now + leaseMs;
  const { rows } =
    jobId !== undefined
      ? await ctx.query<ClaimedRow>({
          name: 'remotetask-claim-one',
          text: claimOneText(ctx.tables),
          values: [service, now, jobId, workerId, lockedUntil, tasks ?? null],
        })
      : tasks
        ? await ctx.query<ClaimedRow>({
            name: 'remotetask-claim-of-tasks',
            text: claimOfTasksText(ctx.tables),
            values: [service, now, limit, workerId, lockedUntil, [...new Set(tasks)]],
          })
        : await ctx.query<ClaimedRow>({
            name: 'remotetask-claim',
            text: claimText(ctx.tables),
            values: [service, now, limit, workerId, lockedUntil],
          });
  rows.sort(claimOrder);
  // The columns the claim set, from what it set them to: completes each row to a job row.
  const claimed = (row: ClaimedRow): JobRecord =>
    toJobRecord(
      Object.assign(row, {
        service, started: now, progress: null, progress_message: null, locked_by: workerId, locked_until: lockedUntil,
      }),
      decodedJson,
    );

  const cronRows = rows.filter((row) => row.status === 'cronjob');
  if (cronRows.length === 0) return rows.map(claimed);

  // The lease taken above already makes this occurrence ours alone; now move each cron job to its
  // next occurrence, which only the caller's schedule code can compute.
  let nextRuns: number[];
  try {
    nextRuns = cronRows.map((row) =>
      row.schedule === null ? NEVER_DUE : (options.nextRunAt(row.schedule as Schedule, now) ?? NEVER_DUE),
    );
  } catch (error) {
    await unclaim(ctx, rows, workerId);
    throw error;
  }
  const moved = await moveCronToNextRun(ctx, cronRows, nextRuns, workerId);
  const movedById = new Map(moved.map((row) => [row.id, row]));
  return rows.map((row) => {
    const moved = movedById.get(row.id);
    return moved ? toJobRecord(moved, decodedJson) : claimed(row);
  });
}

const unclaimText = sqlText(({ jobs }) => `
      UPDATE ${jobs} j SET
        status = p.status, started = p.started, progress = p.progress, progress_message = p.progress_message,
        attempts = j.attempts - 1, locked_by = NULL, locked_until = NULL
      FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::float8[], $5::text[])
        AS p(id, status, started, progress, progress_message)
      WHERE j.id = p.id AND j.locked_by = $6`);

/** Puts claimed jobs back as they were before the claim. */
async function unclaim(ctx: PostgresContext, rows: ClaimedRow[], workerId: string): Promise<void> {
  await ctx.query({
    name: 'remotetask-unclaim',
    text: unclaimText(ctx.tables),
    values: [
      rows.map((row) => row.id),
      rows.map((row) => row.previous_status),
      rows.map((row) => row.previous_started),
      rows.map((row) => row.previous_progress),
      rows.map((row) => row.previous_progress_message),
      workerId,
    ],
  });
}

const moveCronText = sqlText(({ jobs }) => `
      UPDATE ${jobs} j SET run_at = n.run_at
      FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS n(id, run_at, claimed_run_at)
      -- A reschedule that came in since the claim wins over the occurrence computed here.
      WHERE j.id = n.id AND j.locked_by = $4 AND j.status = 'cronjob' AND j.run_at = n.claimed_run_at
      RETURNING j.*`);

async function moveCronToNextRun(ctx: PostgresContext, cronRows: ClaimedRow[], nextRuns: number[], workerId: string): Promise<JobRow[]> {
  const { rows } = await ctx.query<JobRow>({
    name: 'remotetask-claim-cron-next',
    text: moveCronText(ctx.tables),
    values: [cronRows.map((row) => row.id), nextRuns, cronRows.map((row) => row.run_at), workerId],
  });
  return rows;
}
