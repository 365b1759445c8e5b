import type { JobRecord } from '../../jobs/job.js';
import type { ClaimOptions, HeldBy } from '../job-store.js';
import type { LimitSet } from '../gate-rules.js';
import { countClaims, gatedNextRunAt, heldByOf, pickGated, type GatedRow, type RateWindows } from '../gate-picking.js';
import { parseJsonText, toJobRecord, type JobRow } from '../job-row.js';
import type { Prepared } from './sqlite-statements.js';

// The open gated jobs of a service (waiting or running), through their own partial index: plain
// jobs have no entry in it (migration 7).
export const GATE_SQL = {
  openGated: `
    SELECT id, gate, status, run_at, locked_by IS NOT NULL AS leased FROM jobs
    WHERE service = ? AND gate IS NOT NULL AND status IN ('queued', 'delayed', 'cronjob', 'processing')`,
  gateOf: `SELECT service, gate FROM jobs WHERE id = ?`,
  hasGatedDue: `
    SELECT 1 FROM jobs
    WHERE service = @service AND gate IS NOT NULL AND status IN ('queued', 'delayed', 'cronjob') AND locked_by IS NULL AND run_at <= @now
    LIMIT 1`,
  claimGated: `
    UPDATE jobs SET
      status = CASE status WHEN 'cronjob' THEN 'cronjob' ELSE 'processing' END,
      attempts = attempts + 1, started = @now, locked_by = @workerId, locked_until = @until,
      progress = NULL, progress_message = NULL
    WHERE id IN (SELECT value FROM json_each(@ids)) AND locked_by IS NULL
    RETURNING *`,
} as const;

type Statements = Prepared<typeof GATE_SQL>;

/**
 * SQLite's gates: the rules of core/store/gate-picking.ts over the service's open gated jobs, read
 * inside the claim's transaction. The file is one process's, so the rate windows are counted here
 * in memory (a restart opens every window afresh).
 */
export class SqliteGates {
  readonly #windows: RateWindows = new Map();

  constructor(private readonly sql: Statements) {}

  #rows(service: string): GatedRow[] {
    return (this.sql.openGated.all(service) as (Omit<GatedRow, 'leased'> & { leased: number })[]).map((row) => ({ ...row, leased: row.leased === 1 }));
  }

  /** Inside the claim's transaction: claims up to `want` gated jobs that their gates let through. */
  claim(options: ClaimOptions, want: number): JobRowWithGate[] {
    const { service, now, workerId, leaseMs, limits } = options;
    const ids = pickGated(this.#rows(service), now, want, limits, this.#windows);
    if (ids.length === 0) return [];
    return this.sql.claimGated.all({ ids: JSON.stringify(ids), now, workerId, until: now + leaseMs }) as JobRowWithGate[];
  }

  /** A gated job claimed by id: counted in its rate window. */
  counted(id: number, now: number, limits: LimitSet | undefined): void {
    const job = this.sql.gateOf.get(id) as { gate: string | null } | undefined;
    if (job?.gate) countClaims(job.gate, 1, now, limits, this.#windows);
  }

  nextRunAt(service: string, now: number, limits: LimitSet | undefined): number | null {
    return gatedNextRunAt(this.#rows(service), now, limits, this.#windows);
  }

  heldBy(id: number, now: number, limits: LimitSet | undefined): HeldBy | null {
    const job = this.sql.gateOf.get(id) as { service: string; gate: string | null } | undefined;
    return !job || job.gate === null ? null : heldByOf(id, this.#rows(job.service), now, limits, this.#windows);
  }

  static record(row: JobRowWithGate): JobRecord {
    return toJobRecord(row, parseJsonText);
  }
}

export type JobRowWithGate = JobRow<string>;
