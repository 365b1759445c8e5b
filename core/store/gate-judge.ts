import type { HeldBy } from './job-store.js';
import { limitRoom, parseGate, type LimitSet } from './gate-rules.js';

/**
 * A gate's state as the SQL stores read it in one statement (PostgreSQL and SQLite): its first
 * waiting job, its running jobs, its rate window, and its queue's head.
 */
export interface GateRow {
  gate: string;
  first_run_at: number;
  first_id: number;
  running: number;
  window_start: number | null;
  window_claims: number | null;
  head_id: number | null;
  head_waiting: boolean | null;
  head_run_at: number | null;
}

/** What a gate lets through at `now` by the state read: how many (room), why none, and when it opens by itself. */
export function judgeGate(row: Omit<GateRow, 'first_run_at' | 'first_id'>, now: number, limits: LimitSet | undefined, jobId?: number): { room: number; held: HeldBy | null; opensAt: number | null } {
  const gate = parseGate(row.gate);
  if (gate.kind === 'queue') {
    if (row.head_id === null || (row.head_waiting && (jobId === undefined || jobId === row.head_id))) return { room: 1, held: null, opensAt: null };
    const verb = row.head_waiting ? 'comes first' : 'runs first';
    return { room: 0, held: { queue: gate.name, reason: `job ${row.head_id} of the queue ${verb}` }, opensAt: null };
  }
  const { room, reason, opensAt } = limitRoom(limits?.[gate.name], {
    running: row.running, windowClaims: row.window_claims ?? 0, windowStart: row.window_start,
  }, now);
  const held = reason === null ? null : { limit: gate.name, ...(gate.partition === undefined ? {} : { partition: gate.partition }), reason };
  return { room, held, opensAt };
}


/** When the gate's first waiting job may be claimed: null while the gate waits for a run to end. */
export function gateOpensAt(row: GateRow, now: number, limits: LimitSet | undefined): number | null {
  const { held, opensAt } = judgeGate(row, now, limits);
  if (parseGate(row.gate).kind === 'queue') return held ? null : (row.head_run_at ?? row.first_run_at);
  if (!held) return row.first_run_at;
  return opensAt === null ? null : Math.max(opensAt, row.first_run_at);
}
