import type { Database } from 'better-sqlite3';
import type { JobStatus } from '../../jobs/job.js';
import type { AppliedOutcome, JobOutcome } from '../job-store.js';
import { jsonText } from '../job-row.js';
import { LOST_WORKER_ERROR } from '../store-rules.js';
import { HELD_SQL } from '../status-sets.js';
import type { WakeHub } from '../wake-hub.js';
import { transaction, UNLOCK, wakeIfWaiting, type ChangedRow, type Prepared } from './sqlite-statements.js';
import { recordAttempts, recordLostAttempts, type ATTEMPTS_SQL } from './attempts.js';
import { CompletedTally, type COMPLETED_COUNTS_SQL } from './completed-counts.js';

/**
 * How runs end: one statement per kind of outcome, for the lease holder only, and the recovery of
 * expired leases. A cancel requested while the job ran wins over any outcome that would make it
 * wait again: the job ends `cancelled`.
 */
export const FINISH_SQL = {
  completed: `
    UPDATE jobs SET
      status = CASE WHEN status = 'processing' THEN 'completed' WHEN cancel_requested THEN 'cancelled' ELSE 'cronjob' END,
      attempts = CASE status WHEN 'cronjob' THEN 0 ELSE attempts END,
      result = @result, error = NULL, error_stack = NULL, completed = @now,
      finished_by = CASE WHEN status = 'processing' THEN @workerId ELSE finished_by END, ${UNLOCK}
    WHERE id = @id AND locked_by = @workerId AND ${HELD_SQL}
    RETURNING service, status, locked_by, gate`,
  /** `completed` for a batch: JSON [[id, workerId, now, resultJson], …]; the same rules, row by row. */
  completedMany: `
    UPDATE jobs SET
      status = CASE WHEN status = 'processing' THEN 'completed' WHEN cancel_requested THEN 'cancelled' ELSE 'cronjob' END,
      attempts = CASE status WHEN 'cronjob' THEN 0 ELSE attempts END,
      result = o.result, error = NULL, error_stack = NULL, completed = o.now,
      finished_by = CASE WHEN status = 'processing' THEN o.worker_id ELSE finished_by END, ${UNLOCK}
    FROM (SELECT value ->> 0 AS id, value ->> 1 AS worker_id, value ->> 2 AS now, value ->> 3 AS result FROM json_each(?)) AS o
    -- coalesce(): an equality on locked_by would let the planner scan the partial lease index (every
    -- leased job) for each outcome; this way each outcome is one rowid lookup.
    WHERE jobs.id = o.id AND coalesce(jobs.locked_by, '') = o.worker_id AND jobs.${HELD_SQL}
    RETURNING jobs.id AS id, jobs.service AS service, jobs.status AS status, jobs.locked_by AS locked_by, jobs.gate AS gate`,
  failed: `
    UPDATE jobs SET
      status = CASE WHEN status = 'processing' THEN 'error' WHEN cancel_requested THEN 'cancelled' ELSE 'cronjob' END,
      attempts = CASE status WHEN 'cronjob' THEN 0 ELSE attempts END,
      error = @error, error_stack = @errorStack, completed = @now, ${UNLOCK}
    WHERE id = @id AND locked_by = @workerId AND ${HELD_SQL}
    RETURNING service, status, locked_by, gate`,
  retry: `
    UPDATE jobs SET
      status = CASE WHEN cancel_requested THEN 'cancelled' WHEN status = 'cronjob' THEN 'cronjob' ELSE 'queued' END,
      -- a cron job retries sooner, but never skips the occurrence its claim already scheduled
      run_at = CASE WHEN cancel_requested THEN run_at WHEN status = 'cronjob' THEN min(run_at, @runAt) ELSE @runAt END,
      completed = CASE WHEN cancel_requested THEN @now ELSE completed END,
      error = @error, error_stack = @errorStack, ${UNLOCK}
    WHERE id = @id AND locked_by = @workerId AND ${HELD_SQL}
    RETURNING service, status, locked_by, gate`,
  cancelled: `
    UPDATE jobs SET status = 'cancelled', completed = @now, error = @error, error_stack = NULL, ${UNLOCK}
    WHERE id = @id AND locked_by = @workerId AND ${HELD_SQL}
    RETURNING service, status, locked_by, gate`,
  snoozed: `
    UPDATE jobs SET
      attempts = max(0, attempts - 1),
      status = CASE WHEN cancel_requested THEN 'cancelled' WHEN status = 'cronjob' THEN 'cronjob' ELSE 'delayed' END,
      run_at = CASE WHEN cancel_requested THEN run_at WHEN status = 'cronjob' THEN min(run_at, @runAt) ELSE @runAt END,
      completed = CASE WHEN cancel_requested THEN @now ELSE completed END,
      ${UNLOCK}
    WHERE id = @id AND locked_by = @workerId AND ${HELD_SQL}
    RETURNING service, status, locked_by, gate`,
  released: `
    UPDATE jobs SET
      attempts = max(0, attempts - 1),
      status = CASE WHEN cancel_requested THEN 'cancelled' WHEN status = 'cronjob' THEN 'cronjob' ELSE 'queued' END,
      run_at = CASE WHEN cancel_requested THEN run_at WHEN status = 'cronjob' THEN @now ELSE 0 END,
      completed = CASE WHEN cancel_requested THEN @now ELSE completed END,
      ${UNLOCK}
    WHERE id = @id AND locked_by = @workerId AND ${HELD_SQL}
    RETURNING service, status, locked_by, gate`,
  recover: `
    UPDATE jobs SET
      status = CASE WHEN cancel_requested THEN 'cancelled' WHEN status = 'cronjob' THEN 'cronjob'
                    WHEN attempts < max_attempts THEN 'queued' ELSE 'error' END,
      run_at = CASE WHEN status = 'processing' AND NOT cancel_requested AND attempts < max_attempts THEN 0 ELSE run_at END,
      completed = CASE WHEN cancel_requested OR (status = 'processing' AND attempts >= max_attempts) THEN @now ELSE completed END,
      error = CASE WHEN status = 'processing' AND NOT cancel_requested AND attempts >= max_attempts THEN @lost ELSE error END,
      error_stack = CASE WHEN status = 'processing' AND NOT cancel_requested AND attempts >= max_attempts THEN NULL ELSE error_stack END,
      ${UNLOCK}
    WHERE locked_by IS NOT NULL AND locked_until <= @leaseEndedBy AND ${HELD_SQL}
    RETURNING service, status, locked_by, gate`,
} as const;

type Statements = Prepared<typeof FINISH_SQL & typeof ATTEMPTS_SQL & typeof COMPLETED_COUNTS_SQL>;

/** Applies the outcomes in one transaction; returns those applied, in order, with the status each left. */
export function finishJobs(db: Database, sql: Statements, wakes: WakeHub, outcomes: JobOutcome[]): AppliedOutcome[] {
  if (outcomes.length === 0) return [];
  // Completions, the common case, go as one statement for the batch when every job in it is
  // distinct (a job twice in one batch: one statement each, in order, as below).
  const completions = outcomes.filter((outcome) => outcome.kind === 'completed');
  const batched = completions.length > 1 && new Set(outcomes.map((outcome) => outcome.id)).size === outcomes.length;
  const apply = transaction(db, () => {
    recordAttempts(sql, outcomes);
    const done = new Map<number, JobStatus>();
    const tally = new CompletedTally();
    if (batched) {
      const payload = JSON.stringify(completions.map((o) => [o.id, o.workerId, o.now, jsonText(o.result)]));
      for (const row of sql.completedMany.all(payload) as (ChangedRow & { id: number })[]) {
        done.set(row.id, row.status);
        tally.count(row);
        wakeIfWaiting(wakes, row);
      }
    }
    const applied: AppliedOutcome[] = [];
    for (const outcome of outcomes) {
      if (batched && outcome.kind === 'completed') {
        const status = done.get(outcome.id);
        if (status !== undefined) applied.push({ id: outcome.id, status });
        continue;
      }
      const row = applyOne(sql, outcome);
      if (!row) continue;
      applied.push({ id: outcome.id, status: row.status });
      tally.count(row);
      wakeIfWaiting(wakes, row);
    }
    tally.add(sql);
    return applied;
  });
  return apply.immediate();
}

function applyOne(sql: Statements, outcome: JobOutcome): ChangedRow | undefined {
  const base = { id: outcome.id, workerId: outcome.workerId, now: outcome.now };
  switch (outcome.kind) {
    case 'completed':
      return sql.completed.get({ ...base, result: jsonText(outcome.result) }) as ChangedRow | undefined;
    case 'failed':
      return sql.failed.get({ ...base, error: outcome.error, errorStack: outcome.errorStack }) as ChangedRow | undefined;
    case 'retry':
      return sql.retry.get({ ...base, error: outcome.error, errorStack: outcome.errorStack, runAt: outcome.runAt }) as
        | ChangedRow
        | undefined;
    case 'cancelled':
      return sql.cancelled.get({ ...base, error: outcome.error }) as ChangedRow | undefined;
    case 'snoozed':
      return sql.snoozed.get({ ...base, runAt: outcome.runAt }) as ChangedRow | undefined;
    case 'released':
      return sql.released.get(base) as ChangedRow | undefined;
  }
}

/** Applies the recoverExpired rules to every lease that ended by `leaseEndedBy`; returns how many. */
export function recoverLeases(db: Database, sql: Statements, wakes: WakeHub, now: number, leaseEndedBy: number): number {
  const recover = transaction(db, () => {
    recordLostAttempts(sql, now, leaseEndedBy);
    const rows = sql.recover.all({ now, leaseEndedBy, lost: LOST_WORKER_ERROR }) as ChangedRow[];
    for (const row of rows) wakeIfWaiting(wakes, row);
    return rows.length;
  });
  return recover.immediate();
}
