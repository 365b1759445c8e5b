import type { JobStatus } from '../../jobs/job.js';
import type { AppliedOutcome, JobOutcome } from '../job-store.js';
import { jsonText } from '../job-row.js';
import { HELD_SQL, WAITING_SQL, isWaiting } from '../status-sets.js';
import { nullsLeftOut, sameSentOnce } from './batch-columns.js';
import { afterNotify, notify } from './notify.js';
import type { PostgresContext } from './postgres-context.js';
import { sqlText } from './tables.js';
import { recordAttemptsSql } from './attempts.js';

// One row per outcome; the lease holder check makes a late worker's outcome a no-op.
export const finishText = sqlText(({ jobs, completedCounts, attempts }) => `
      WITH outcome AS (
        -- unnest() pads the shorter arrays with NULL: see sameSentOnce() and nullsLeftOut().
        SELECT o.id, coalesce(o.worker_id, ($2::text[])[1]) AS worker_id, coalesce(o.kind, ($3::text[])[1]) AS kind,
          o.now, o.result, o.error, o.error_stack, o.run_at
        FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::bigint[])
          AS o(id, worker_id, kind, now, result, error, error_stack, run_at)
      ), finished AS (
        UPDATE ${jobs} j SET
          status = CASE
            WHEN o.kind = 'cancelled' THEN 'cancelled'
            -- A cancel requested during the run wins over waiting again.
            WHEN j.cancel_requested AND (j.status = 'cronjob' OR o.kind IN ('retry', 'released', 'snoozed')) THEN 'cancelled'
            WHEN j.status = 'cronjob' THEN 'cronjob'
            WHEN o.kind = 'completed' THEN 'completed'
            WHEN o.kind = 'failed' THEN 'error'
            WHEN o.kind = 'snoozed' THEN 'delayed'
            ELSE 'queued' END,
          result = CASE WHEN o.kind = 'completed' THEN o.result::jsonb ELSE j.result END,
          error = CASE
            WHEN o.kind = 'completed' THEN NULL
            WHEN o.kind IN ('released', 'snoozed') THEN j.error
            ELSE o.error END,
          error_stack = CASE
            WHEN o.kind IN ('completed', 'cancelled') THEN NULL
            WHEN o.kind IN ('released', 'snoozed') THEN j.error_stack
            ELSE o.error_stack END,
          completed = CASE
            WHEN o.kind IN ('completed', 'failed', 'cancelled') OR j.cancel_requested THEN o.now
            ELSE j.completed END,
          run_at = CASE
            WHEN j.cancel_requested THEN j.run_at
            -- A cron retry comes sooner, but never skips the occurrence the claim scheduled.
            WHEN o.kind IN ('retry', 'snoozed') AND j.status = 'cronjob' THEN least(j.run_at, o.run_at)
            WHEN o.kind IN ('retry', 'snoozed') THEN o.run_at
            WHEN o.kind = 'released' AND j.status = 'cronjob' THEN o.now
            WHEN o.kind = 'released' THEN 0
            ELSE j.run_at END,
          attempts = CASE
            WHEN o.kind IN ('released', 'snoozed') THEN greatest(j.attempts - 1, 0)
            WHEN j.status = 'cronjob' AND o.kind IN ('completed', 'failed') THEN 0
            ELSE j.attempts END,
          -- The run that completes the job stays in its row (see attempts.ts).
          finished_by = CASE WHEN o.kind = 'completed' AND j.status <> 'cronjob' THEN o.worker_id ELSE j.finished_by END,
          locked_by = NULL,
          locked_until = NULL
        FROM outcome o
        -- coalesce(): an equality on locked_by would let the planner read the partial lease index
        -- (every leased job, which stale statistics count as none) instead of one primary-key probe
        -- per outcome: with thousands of jobs leased (prefetch), that made each finish O(leased).
        WHERE j.id = o.id AND coalesce(j.locked_by, '') = o.worker_id AND j.${HELD_SQL}
        -- The outcome's columns too, for the attempt it records (see attempts.ts).
        RETURNING j.id, j.service, j.status, j.gate, o.worker_id, o.kind, o.now, o.error, o.error_stack
      -- A gated job's run ended or it waits again: its gate may let the next one through.
      ), ${recordAttemptsSql(jobs, attempts)}, ${notify('finished', `(${WAITING_SQL} OR gate IS NOT NULL)`)},
      -- A data-modifying CTE always runs: one count delta per service that got completed jobs.
      counted AS (
        INSERT INTO ${completedCounts} (service, delta)
        SELECT service, count(*) FROM finished WHERE status = 'completed' GROUP BY service
      )
      SELECT id, service, status, gate FROM finished WHERE ${afterNotify}`);

/** Applies the outcomes in one statement; returns those applied, in the order given, with the status each left. */
export async function finishJobs(ctx: PostgresContext, given: JobOutcome[]): Promise<AppliedOutcome[]> {
  // One run ends once: a later outcome for the same job in the batch comes after the first ended it.
  const seen = new Set<number>();
  const outcomes = given.filter((outcome) => !seen.has(outcome.id) && seen.add(outcome.id));
  if (outcomes.length === 0) return [];
  const { rows } = await ctx.query<{ id: number; service: string; status: JobStatus; gate: string | null }>({
    name: 'remotetask-finish',
    text: finishText(ctx.tables),
    values: [
      outcomes.map((outcome) => outcome.id),
      sameSentOnce(outcomes.map((outcome) => outcome.workerId)),
      sameSentOnce(outcomes.map((outcome) => outcome.kind)),
      outcomes.map((outcome) => outcome.now),
      nullsLeftOut(outcomes.map((outcome) => (outcome.kind === 'completed' ? jsonText(outcome.result) : null))),
      nullsLeftOut(outcomes.map((outcome) => ('error' in outcome ? outcome.error : null))),
      nullsLeftOut(outcomes.map((outcome) => ('errorStack' in outcome ? outcome.errorStack : null))),
      nullsLeftOut(outcomes.map((outcome) => (outcome.kind === 'retry' || outcome.kind === 'snoozed' ? outcome.runAt : null))),
    ],
  });
  // Retried, handed back, or a cron job waiting for its next occurrence.
  ctx.wakeLocally(rows.filter((row) => isWaiting(row.status) || row.gate !== null).map((row) => row.service));
  ctx.countDeltasAdded(new Set(rows.filter((row) => row.status === 'completed').map((row) => row.service)).size);
  const applied = new Map(rows.map((row) => [row.id, row.status]));
  // In the caller's order, each with the status the statement left.
  return outcomes.flatMap((outcome) => {
    const status = applied.get(outcome.id);
    return status === undefined ? [] : [{ id: outcome.id, status }];
  });
}
