import type { Database } from 'better-sqlite3';
import type { JobRecord, Schedule } from '../../jobs/job.js';
import type { ClaimOptions } from '../job-store.js';
import { NEVER_DUE } from '../store-rules.js';
import { HELD_SQL, WAITING_SQL } from '../status-sets.js';
import { transaction, type Prepared } from './sqlite-statements.js';
import { type CLAIM_OF_TASKS_SQL, dueOfTasks } from './claim-of-tasks.js';
import { type WAITING_TASKS_SQL, waitingTasks } from './waiting-tasks.js';
import { SqliteGates } from './gates.js';
import { CLAIMED_COLUMNS, claimedNow, claimedRecord, ID, RUN_AT, SCHEDULE, STATUS, type ClaimedRow } from './claimed-rows.js';

/** Claims and leases: who holds which job. */
// The columns a claim sets; `status` and `attempts` as claimedNow() sets them in a row read before.
const LEASE_SET = `
      status = CASE status WHEN 'cronjob' THEN 'cronjob' ELSE 'processing' END,
      attempts = attempts + 1, started = @now, locked_by = @workerId, locked_until = @until,
      progress = NULL, progress_message = NULL`;

export const CLAIM_SQL = {
  // A claim reads the due jobs first (claim-of-tasks.ts), then leases them by id here, in one
  // transaction: an UPDATE … RETURNING would copy each row through a temporary table.
  leaseIds: `UPDATE jobs SET ${LEASE_SET} WHERE id IN (SELECT value FROM json_each(@ids))`,
  claimOne: `
    UPDATE jobs SET ${LEASE_SET}
    WHERE id = @id AND service = @service AND ${WAITING_SQL} AND run_at <= @now AND locked_by IS NULL
      AND (@tasks IS NULL OR task IN (SELECT value FROM json_each(@tasks)))
    RETURNING ${CLAIMED_COLUMNS}`,
  setRunAt: `UPDATE jobs SET run_at = ? WHERE id = ?`,
  renewLeases: `
    UPDATE jobs SET locked_until = @until
    WHERE id IN (SELECT value FROM json_each(@ids)) AND locked_by = @workerId AND ${HELD_SQL}
    RETURNING id`,
  cancelRequestedAmong: `SELECT id FROM jobs WHERE id IN (SELECT value FROM json_each(?)) AND cancel_requested`,
} as const;

type Statements = Prepared<typeof CLAIM_SQL & typeof CLAIM_OF_TASKS_SQL & typeof WAITING_TASKS_SQL>;

/** Claims due jobs in one transaction, cron jobs moved to their next occurrence in it. */
export function claimJobs(db: Database, sql: Statements, gates: SqliteGates, options: ClaimOptions): JobRecord[] {
  const { service, now, workerId, leaseMs, jobId, nextRunAt, tasks } = options;
  const limit = Math.floor(options.limit ?? 1);
  if (!(limit >= 1)) return [];
  const until = now + leaseMs;
  let gated: JobRecord[] = [];
  const claim = transaction(db, () => {
    const params = { service, now, workerId, until };
    // Gated jobs first, as far as their gates let them through (see gate-rules.ts).
    if (jobId === undefined) {
      gated = gates.claim(options, limit);
      for (const job of gated) {
        if (job.status !== 'cronjob') continue;
        job.runAt = job.schedule === null ? NEVER_DUE : (nextRunAt(job.schedule, now) ?? NEVER_DUE);
        sql.setRunAt.run(job.runAt, job.id);
      }
    } else {
      const byId = gates.claimById({ ...options, jobId });
      if (byId !== undefined) {
        gated = byId;
        for (const job of gated) {
          if (job.status !== 'cronjob') continue;
          job.runAt = job.schedule === null ? NEVER_DUE : (nextRunAt(job.schedule, now) ?? NEVER_DUE);
          sql.setRunAt.run(job.runAt, job.id);
        }
        return [];
      }
    }
    const rest = limit - gated.length;
    let rows: ClaimedRow[];
    if (jobId !== undefined) {
      rows = sql.claimOne.all({ ...params, id: jobId, tasks: tasks ? JSON.stringify(tasks) : null }) as ClaimedRow[];
    } else {
      // In claim order: by priority, then the order jobs were due.
      rows = rest <= 0 ? [] : dueOfTasks(sql, { service, now, limit: rest }, tasks ?? waitingTasks(sql, service));
      if (rows.length > 0) sql.leaseIds.run({ now, workerId, until, ids: JSON.stringify(rows.map((row) => row[ID])) });
      for (const row of rows) claimedNow(row);
    }
    for (const row of rows) {
      if (row[STATUS] !== 'cronjob') continue;
      // Inside the transaction: a schedule that throws rolls the whole claim back.
      const schedule = row[SCHEDULE];
      const next = schedule === null ? null : nextRunAt(JSON.parse(schedule) as Schedule, now);
      row[RUN_AT] = next ?? NEVER_DUE;
      sql.setRunAt.run(row[RUN_AT], row[ID]);
    }
    return rows;
  });
  const claimed = claim.immediate();
  return gated.concat(claimed.map((row) => claimedRecord(row, { service, now, workerId, until })));
}

/** Of `ids`, those `workerId` still holds, their leases extended to `until`; in the order given. */
export function renewLeases(sql: Statements, ids: number[], workerId: string, until: number): number[] {
  if (ids.length === 0) return [];
  const rows = sql.renewLeases.all({ ids: JSON.stringify(ids), workerId, until }) as { id: number }[];
  const held = new Set(rows.map((row) => row.id));
  return ids.filter((id) => held.has(id));
}

export function cancelRequestedAmong(sql: Statements, ids: number[]): number[] {
  if (ids.length === 0) return [];
  const rows = sql.cancelRequestedAmong.all(JSON.stringify(ids)) as { id: number }[];
  const flagged = new Set(rows.map((row) => row.id));
  return ids.filter((id) => flagged.has(id));
}
