import type { JobRecord } from '../../jobs/job.js';
import type { ClaimOptions, HeldBy } from '../job-store.js';
import { isLimitGateSql, isQueueGateSql, parseGate, type LimitSet } from '../gate-rules.js';
import { gateOpensAt, judgeGate, type GateRow } from '../gate-judge.js';
import { RateWindowCounts } from '../rate-window-counts.js';
import { WAITING_SQL } from '../status-sets.js';
import type { Prepared } from './sqlite-statements.js';
import { CLAIMED_COLUMNS, claimedRecord, ID, RUN_AT, type ClaimedRow } from './claimed-rows.js';

// A gate's state, read per gate through the gate indexes (migrations 7 and 12), which plain jobs
// have no entry in: its first waiting job, a limit's running count, a queue's head.
const waitingGated = (j: string) => `${j}.service = @service AND ${j}.${WAITING_SQL} AND ${j}.locked_by IS NULL AND ${j}.gate IS NOT NULL`;
const firstWaiting = (gate: string, column: string) =>
  `(SELECT f.${column} FROM jobs f WHERE ${waitingGated('f')} AND f.gate = ${gate} ORDER BY f.run_at, f.id LIMIT 1)`;
const headId = (gate: string) =>
  `(SELECT q.id FROM jobs q WHERE q.service = @service AND q.gate = ${gate} AND q.status IN ('queued', 'delayed', 'processing') AND ${isQueueGateSql('q')} ORDER BY q.id LIMIT 1)`;
const gateState = (gate: string) => `
      ${firstWaiting(gate, 'run_at')} AS first_run_at, ${firstWaiting(gate, 'id')} AS first_id,
      (SELECT count(*) FROM jobs r WHERE r.service = @service AND r.gate = ${gate} AND r.locked_by IS NOT NULL AND ${isLimitGateSql('r')}) AS running,
      ${headId(gate)} AS head_id,
      (SELECT h.locked_by IS NULL AND h.status IN ('queued', 'delayed') FROM jobs h WHERE h.id = ${headId(gate)}) AS head_waiting,
      (SELECT h.run_at FROM jobs h WHERE h.id = ${headId(gate)}) AS head_run_at`;

export const GATE_SQL = {
  // The service's gates with waiting jobs: a loose index scan, one probe per gate.
  gates: `
    WITH RECURSIVE g(gate) AS (
      SELECT (SELECT min(j.gate) FROM jobs j WHERE ${waitingGated('j')})
      UNION ALL
      SELECT (SELECT min(j.gate) FROM jobs j WHERE ${waitingGated('j')} AND j.gate > g.gate) FROM g WHERE g.gate IS NOT NULL
    )
    SELECT g.gate AS gate, ${gateState('g.gate')} FROM g WHERE g.gate IS NOT NULL`,
  jobGate: `SELECT service, gate, status, locked_by FROM jobs WHERE id = ?`,
  gate: `SELECT @gate AS gate, ${gateState('@gate')}`,
  hasGatedDue: `SELECT 1 FROM jobs j WHERE ${waitingGated('j')} AND j.run_at <= @now LIMIT 1`,
  claimLimited: `
    UPDATE jobs SET
      status = CASE status WHEN 'cronjob' THEN 'cronjob' ELSE 'processing' END,
      attempts = attempts + 1, started = @now, locked_by = @workerId, locked_until = @until,
      progress = NULL, progress_message = NULL
    WHERE id IN (
      SELECT j.id FROM jobs j WHERE ${waitingGated('j')} AND j.gate = @gate AND j.run_at <= @now AND (@jobId IS NULL OR j.id = @jobId)
        -- A claim limited to some tasks (an agent's) takes only theirs; the gate's other jobs still count.
        AND (@tasks IS NULL OR j.task IN (SELECT value FROM json_each(@tasks)))
      ORDER BY j.run_at, j.id LIMIT @limit)
    RETURNING ${CLAIMED_COLUMNS}`,
} as const;

type Statements = Prepared<typeof GATE_SQL>;
type SqliteGateRow = Omit<GateRow, 'head_waiting'> & { head_waiting: number | null };

const asGateRow = (row: SqliteGateRow): GateRow => ({ ...row, head_waiting: row.head_waiting === null ? null : row.head_waiting === 1, window_start: null, window_claims: null });

/**
 * SQLite's gates: the rules of core/store/gate-rules.ts, read and applied inside the claim's
 * transaction (the file is one process's, so what it reads stays true until it commits). The rate
 * windows are counted here in memory: a restart opens every window afresh.
 */
export class SqliteGates {
  readonly #windows = new RateWindowCounts();

  constructor(private readonly sql: Statements) {}

  #withWindow(service: string, row: GateRow): GateRow {
    const window = this.#windows.get(service, row.gate);
    return window ? { ...row, window_start: window.windowStart, window_claims: window.claims } : row;
  }

  #gates(service: string): GateRow[] {
    return (this.sql.gates.all({ service }) as SqliteGateRow[]).map((row) => this.#withWindow(service, asGateRow(row)));
  }

  #claimGate(options: ClaimOptions, row: GateRow, room: number, jobId: number | null): JobRecord[] {
    const { service, now, workerId, leaseMs, limits } = options;
    const until = now + leaseMs;
    const params = { service, now, workerId, until, gate: row.gate, jobId, tasks: options.tasks ? JSON.stringify(options.tasks) : null };
    // A queue gives its head only (room is 1 when it waits); a limit its first due jobs.
    const rows = (parseGate(row.gate).kind === 'queue'
      ? this.sql.claimLimited.all({ ...params, limit: 1, jobId: jobId ?? row.head_id })
      : this.sql.claimLimited.all({ ...params, limit: room })) as ClaimedRow[];
    this.#windows.count(service, row.gate, rows.length, now, limits);
    // RETURNING gives no order; the gate's is the order its jobs fell due.
    rows.sort((a, b) => a[RUN_AT] - b[RUN_AT] || a[ID] - b[ID]);
    return rows.map((claimed) => ({ ...claimedRecord(claimed, { service, now, workerId, until }), gate: row.gate }));
  }

  /** Inside the claim's transaction: claims up to `want` gated jobs their gates let through, gates in turn by their first due job. */
  claim(options: ClaimOptions, want: number): JobRecord[] {
    const open = this.#gates(options.service)
      .filter((row) => row.first_run_at <= options.now)
      .sort((a, b) => a.first_run_at - b.first_run_at || a.first_id - b.first_id);
    const claimed: JobRecord[] = [];
    for (const row of open) {
      if (claimed.length >= want) break;
      const { room } = judgeGate(row, options.now, options.limits);
      if (room > 0) claimed.push(...this.#claimGate(options, row, Math.min(room, want - claimed.length), null));
    }
    return claimed;
  }

  #gateOf(id: number): { service: string; gate: string | null; status: string; locked_by: string | null } | undefined {
    return this.sql.jobGate.get(id) as { service: string; gate: string | null; status: string; locked_by: string | null } | undefined;
  }

  /** The gated job by id, when its gate lets it through; undefined for a plain (or unknown) job. */
  claimById(options: ClaimOptions & { jobId: number }): JobRecord[] | undefined {
    const job = this.#gateOf(options.jobId);
    if (!job || job.gate === null) return undefined;
    if (job.service !== options.service) return [];
    const row = this.#gateRow(job.service, job.gate);
    if (judgeGate(row, options.now, options.limits, options.jobId).room === 0) return [];
    return this.#claimGate(options, row, 1, options.jobId);
  }

  #gateRow(service: string, gate: string): GateRow {
    return this.#withWindow(service, asGateRow(this.sql.gate.get({ service, gate }) as SqliteGateRow));
  }

  nextRunAt(service: string, now: number, limits: LimitSet | undefined): number | null {
    let next: number | null = null;
    for (const row of this.#gates(service)) {
      const at = gateOpensAt(row, now, limits);
      if (at !== null && (next === null || at < next)) next = at;
    }
    return next;
  }

  hasDue(service: string, now: number): boolean {
    return this.sql.hasGatedDue.get({ service, now }) !== undefined;
  }

  heldBy(id: number, now: number, limits: LimitSet | undefined): HeldBy | null {
    const job = this.#gateOf(id);
    if (!job || job.gate === null || job.locked_by !== null || !['queued', 'delayed', 'cronjob'].includes(job.status)) return null;
    return judgeGate(this.#gateRow(job.service, job.gate), now, limits, id).held;
  }
}
