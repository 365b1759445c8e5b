import type { JobRecord, Schedule } from '../../jobs/job.js';
import type { ClaimOptions, HeldBy } from '../job-store.js';
import { isLimitGateSql, isQueueGateSql, parseGate, windowStart, type LimitSet } from '../gate-rules.js';
import { gateOpensAt, judgeGate as judge, type GateRow } from '../gate-judge.js';
import { decodedJson, toJobRecord, type JobRow } from '../job-row.js';
import { NEVER_DUE } from '../store-rules.js';
import { WAITING_SQL } from '../status-sets.js';
import { WAKE_CHANNEL } from './channels.js';
import type { PostgresContext } from './postgres-context.js';
import { sqlText, type Tables } from './tables.js';

/*
 * The gate rules of core/store/gate-rules.ts on PostgreSQL, for every process at once.
 *
 * A claim first reads the state of the service's gates that have waiting jobs (one statement: a
 * loose index scan over the gated claim index, one probe per gate, and per gate its running count
 * from the running-gate index, its rate window and its queue head). Then, gate by gate, in the
 * order their first due job fell due, it claims what the gate lets through with one statement: a
 * call of claim_limited / claim_queued (gate-claim-functions.ts), which takes an advisory lock on
 * the gate and then claims in a snapshot of its own, so the counts it reads are those every other
 * claimer of the gate left committed and a limit is never exceeded. The lock is held for that one
 * call; claimers of other gates and of plain jobs never wait for it.
 *
 * Cost: plain jobs have no entry in any gate index (all are partial on `gate IS NOT NULL`) and the
 * claim index leaves gated jobs out (migration 9), so neither their writes nor their claims do
 * more than before, beside one probe of an empty index per claim. Gated claims cost one probe per
 * gate with waiting jobs, and one round trip per gate that lets jobs through.
 */

const gateState = (service: string, gate: string, { jobs, gateWindows }: Tables) => `
        (SELECT count(*) FROM ${jobs} r WHERE r.service = ${service} AND r.gate = ${gate} AND r.locked_by IS NOT NULL AND ${isLimitGateSql('r')})::int AS running,
        (SELECT w.window_start FROM ${gateWindows} w WHERE w.service = ${service} AND w.gate = ${gate}) AS window_start,
        (SELECT w.claims FROM ${gateWindows} w WHERE w.service = ${service} AND w.gate = ${gate}) AS window_claims,
        h.id AS head_id, (h.locked_by IS NULL AND h.status IN ('queued', 'delayed')) AS head_waiting, h.run_at AS head_run_at`;
const queueHead = (service: string, gate: string, { jobs }: Tables) => `
        LEFT JOIN LATERAL (
          SELECT q.id, q.status, q.locked_by, q.run_at FROM ${jobs} q
          WHERE q.service = ${service} AND q.gate = ${gate} AND q.status IN ('queued', 'delayed', 'processing') AND ${isQueueGateSql('q')}
          ORDER BY q.id LIMIT 1
        ) h ON true`;
const waitingGated = (j: string) => `${j}.service = $1 AND ${j}.${WAITING_SQL} AND ${j}.locked_by IS NULL AND ${j}.gate IS NOT NULL`;

// The gates of the service with waiting jobs, each with its first waiting job (run_at, id) and its state.
export const gatesText = sqlText((tables) => `
      -- Each probe an ordered LIMIT 1, not min(): the planner may (and, with few rows in its
      -- statistics, did) answer min() by reading every waiting gated job.
      WITH RECURSIVE g(gate) AS (
        SELECT (SELECT j.gate FROM ${tables.jobs} j WHERE ${waitingGated('j')} ORDER BY j.gate LIMIT 1)
        UNION ALL
        SELECT (SELECT j.gate FROM ${tables.jobs} j WHERE ${waitingGated('j')} AND j.gate > g.gate ORDER BY j.gate LIMIT 1)
        FROM g WHERE g.gate IS NOT NULL
      )
      SELECT g.gate, f.run_at AS first_run_at, f.id AS first_id, ${gateState('$1', 'g.gate', tables)}
      FROM g
        CROSS JOIN LATERAL (
          SELECT j.run_at, j.id FROM ${tables.jobs} j WHERE ${waitingGated('j')} AND j.gate = g.gate ORDER BY j.run_at, j.id LIMIT 1
        ) f
        ${queueHead('$1', 'g.gate', tables)}
      WHERE g.gate IS NOT NULL`);

// One job's gate and that gate's state: why the job waits.
const jobGateText = sqlText((tables) => `
      SELECT j.id, j.gate, j.status, j.locked_by, ${gateState('j.service', 'j.gate', tables)}
      FROM ${tables.jobs} j ${queueHead('j.service', 'j.gate', tables)}
      WHERE j.id = $1 AND j.gate IS NOT NULL`);

// A gate's claim under the gate's lock, in one statement (see gate-claim-functions.ts).
const claimLimitedText = sqlText(({ schema }) => `SELECT * FROM ${schema}.claim_limited($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`);
const claimQueuedText = sqlText(({ schema }) => `SELECT * FROM ${schema}.claim_queued($1, $2, $3, $4, $5, $6, $7, $8, $9)`);

/** Claims one gate's jobs, up to `want` (one jobId: only that one, when it is the gate's to give). */
async function claimGate(ctx: PostgresContext, lockKey: string, gate: string, options: ClaimOptions, want: number, jobId: number | null = null): Promise<JobRow[]> {
  const parsed = parseGate(gate);
  const { service, now, workerId, leaseMs, limits } = options;
  const rule = parsed.kind === 'limit' ? limits?.[parsed.name] : undefined;
  const values = [service, now, gate, workerId, now + leaseMs, want, jobId];
  const tasks = options.tasks ? [...new Set(options.tasks)] : null;
  const start = rule?.rate ? windowStart(now, rule.rate.perMs) : null;
  const { rows } = parsed.kind === 'queue'
    ? await ctx.query<JobRow>({ name: 'remotetask-claim-queued', text: claimQueuedText(ctx.tables), values: [...values, tasks, lockKey] })
    : await ctx.query<JobRow>({
        name: 'remotetask-claim-limited',
        text: claimLimitedText(ctx.tables),
        values: [...values, rule?.concurrency ?? null, rule?.rate?.count ?? null, start, tasks, lockKey, start === null ? null : start + rule!.rate!.perMs],
      });
  return rows;
}

/**
 * Claims up to `want` gated jobs of the service that their gates let through; cron jobs among them
 * move on to their next occurrence. Gates take turns in the order their first due job fell due.
 */
export async function claimGated(ctx: PostgresContext, schema: string, options: ClaimOptions, want: number): Promise<JobRecord[]> {
  const { service, now, limits } = options;
  const { rows: gates } = await ctx.query<GateRow>({ name: 'remotetask-gates', text: gatesText(ctx.tables), values: [service] });
  const open = gates
    .filter((row) => row.first_run_at <= now && judge(row, now, limits).room > 0)
    .sort((a, b) => a.first_run_at - b.first_run_at || a.first_id - b.first_id);
  const claimed: JobRow[] = [];
  for (const row of open) {
    if (claimed.length >= want) break;
    claimed.push(...(await claimGate(ctx, gateLockKey(schema, service, row.gate), row.gate, options, want - claimed.length)));
  }
  await moveCronOn(ctx, claimed, options);
  return claimed.map((row) => toJobRecord(row, decodedJson));
}

const moveCronText = sqlText(({ jobs }) => `UPDATE ${jobs} SET run_at = $2 WHERE id = $1 AND locked_by = $3 AND status = 'cronjob'`);

/** A gated cron job claimed: on to its next occurrence (rare enough for one statement each). */
async function moveCronOn(ctx: PostgresContext, rows: JobRow[], options: ClaimOptions): Promise<void> {
  for (const row of rows) {
    if (row.status !== 'cronjob') continue;
    row.run_at = row.schedule === null ? NEVER_DUE : (options.nextRunAt(row.schedule as Schedule, options.now) ?? NEVER_DUE);
    await ctx.query({ name: 'remotetask-gated-cron-next', text: moveCronText(ctx.tables), values: [row.id, row.run_at, options.workerId] });
  }
}

export function gateLockKey(schema: string, service: string, gate: string): string {
  return `remotetask:gate:${schema}:${service}:${gate}`;
}

/** The gated job `id`, claimed alone when its gate lets it through (the seed's processNext(jobId)). */
export async function claimGatedById(ctx: PostgresContext, schema: string, options: ClaimOptions & { jobId: number }): Promise<JobRecord[] | undefined> {
  const { rows } = await ctx.query<GateRow & { id: number }>({ name: 'remotetask-job-gate', text: jobGateText(ctx.tables), values: [options.jobId] });
  const row = rows[0];
  if (!row) return undefined; // not gated: the plain claim takes it
  if (judge(row, options.now, options.limits, options.jobId).room === 0) return [];
  // Under the gate's lock, the gate's own claim decides.
  const claimed = await claimGate(ctx, gateLockKey(schema, options.service, row.gate), row.gate, options, 1, options.jobId);
  await moveCronOn(ctx, claimed, options);
  return claimed.map((job) => toJobRecord(job, decodedJson));
}

/** The earliest time one of the service's gated jobs may be claimed (see JobStore.nextRunAt). */
export async function gatedNextRunAt(ctx: PostgresContext, service: string, now: number, limits: LimitSet | undefined): Promise<number | null> {
  const { rows } = await ctx.query<GateRow>({ name: 'remotetask-gates', text: gatesText(ctx.tables), values: [service] });
  let next: number | null = null;
  for (const row of rows) {
    const at = gateOpensAt(row, now, limits);
    if (at !== null && (next === null || at < next)) next = at;
  }
  return next;
}

/** Why the job waits behind its gate at `now`, or null. */
export async function gatedHeldBy(ctx: PostgresContext, id: number, now: number, limits: LimitSet | undefined): Promise<HeldBy | null> {
  if (!Number.isSafeInteger(id)) return null;
  const { rows } = await ctx.query<GateRow & { status: string; locked_by: string | null }>({
    name: 'remotetask-job-gate', text: jobGateText(ctx.tables), values: [id],
  });
  const row = rows[0];
  if (!row || row.locked_by !== null || !['queued', 'delayed', 'cronjob'].includes(row.status)) return null;
  return judge(row, now, limits, id).held;
}

const hasGatedDueText = sqlText(({ jobs }) => `
      SELECT EXISTS (SELECT 1 FROM ${jobs} j WHERE ${waitingGated('j')} AND j.run_at <= $2) AS due`);

/** Whether a gated job of the service is due at `now`, its gate aside (the seed's "jobs waiting"). */
export async function hasGatedDue(ctx: PostgresContext, service: string, now: number): Promise<boolean> {
  const { rows } = await ctx.query<{ due: boolean }>({ name: 'remotetask-has-gated-due', text: hasGatedDueText(ctx.tables), values: [service, now] });
  return rows[0].due;
}

/** Wakes the service's claimers everywhere: a gated job's change may have opened its gate. */
export async function wakeGated(ctx: PostgresContext, service: string): Promise<void> {
  ctx.wakeLocally([service]);
  await ctx.query({ name: 'remotetask-gate-wake', text: `SELECT pg_notify('${WAKE_CHANNEL}', $1)`, values: [service] });
}
