import type { JobStatus } from '../jobs/job.js';
import type { HeldBy } from './job-store.js';
import { limitRoom, parseGate, type GateState, type LimitSet } from './gate-rules.js';
import { isWaiting } from './status-sets.js';
import type { RateWindow } from './rate-window-counts.js';

/*
 * The gate rules (core/store/gate-rules.ts) for the one-process stores (memory, SQLite), over the
 * open gated jobs of one service: those waiting or running. Their cost is linear in that number
 * per claim; jobs without a gate are never read here. PostgreSQL applies the same rules per gate
 * in SQL (core/store/postgres/gates.ts).
 */

/** An open gated job: what the rules read of it. */
export interface GatedRow {
  id: number;
  gate: string;
  status: JobStatus;
  run_at: number;
  leased: boolean;
  /** Its task, where a claim may be limited to some tasks (the memory store). */
  task?: string;
}

/** One service's rate windows (see RateWindowCounts). */
export interface RateWindows {
  get(gate: string): RateWindow | undefined;
  count(gate: string, claims: number, now: number, limits: LimitSet | undefined): void;
}

interface GateView {
  gate: string;
  rows: GatedRow[];
}

function byGate(rows: GatedRow[]): GateView[] {
  const gates = new Map<string, GatedRow[]>();
  for (const row of rows) {
    let list = gates.get(row.gate);
    if (!list) gates.set(row.gate, (list = []));
    list.push(row);
  }
  return [...gates].map(([gate, list]) => ({ gate, rows: list.sort((a, b) => a.id - b.id) }));
}

const claimable = (row: GatedRow) => isWaiting(row.status) && !row.leased;
const dueOrder = (a: GatedRow, b: GatedRow) => a.run_at - b.run_at || a.id - b.id;

/** What the gate lets through at `now`: the jobs it would hand out (in order, up to `want`), and why none more. */
function open(view: GateView, now: number, want: number, limits: LimitSet | undefined, windows: RateWindows): { take: GatedRow[]; held: HeldBy | null; opensAt: number | null } {
  const gate = parseGate(view.gate);
  if (gate.kind === 'queue') {
    // The head: the oldest job queued, delayed or running (a cron job never names a queue).
    const head = view.rows.find((row) => row.status !== 'cronjob');
    if (!head) return { take: [], held: null, opensAt: null };
    if (!claimable(head)) return { take: [], held: { queue: gate.name, reason: `job ${head.id} of the queue runs first` }, opensAt: null };
    return { take: head.run_at <= now && want > 0 ? [head] : [], held: null, opensAt: null };
  }
  const window = windows.get(view.gate);
  const state: GateState = {
    running: view.rows.filter((row) => row.leased).length,
    windowClaims: window?.claims ?? 0,
    windowStart: window?.windowStart ?? null,
  };
  const { room, reason, opensAt } = limitRoom(limits?.[gate.name], state, now);
  const held: HeldBy | null = reason === null ? null : { limit: gate.name, ...(gate.partition === undefined ? {} : { partition: gate.partition }), reason };
  const due = view.rows.filter((row) => claimable(row) && row.run_at <= now).sort(dueOrder);
  return { take: due.slice(0, Math.min(room, want)), held, opensAt };
}

/**
 * Picks up to `want` gated jobs to claim at `now` and counts them in their rate windows. Gates take
 * turns in the order their first due job fell due, so no gate starves the others.
 */
/** `accept`: which of the jobs a gate lets through the caller takes (a claim limited to some tasks); the others still count. */
export function pickGated(rows: GatedRow[], now: number, want: number, limits: LimitSet | undefined, windows: RateWindows, accept?: (row: GatedRow) => boolean): number[] {
  // A limit's waiting jobs the caller does not take are no part of it here (running ones still
  // count); a queue keeps every job, its head the caller may not take holding the rest back.
  const visible = (view: GateView): GateView =>
    accept && parseGate(view.gate).kind === 'limit' ? { ...view, rows: view.rows.filter((row) => !claimable(row) || accept(row)) } : view;
  const views = byGate(rows)
    .map(visible)
    .map((view) => ({ view, first: view.rows.filter((row) => claimable(row) && row.run_at <= now).sort(dueOrder)[0] }))
    .filter((entry) => entry.first !== undefined)
    .sort((a, b) => dueOrder(a.first!, b.first!));
  const picked: number[] = [];
  for (const { view } of views) {
    if (picked.length >= want) break;
    const { take: allowed } = open(view, now, want - picked.length, limits, windows);
    const take = accept ? allowed.filter(accept) : allowed;
    if (take.length === 0) continue;
    picked.push(...take.map((row) => row.id));
    windows.count(view.gate, take.length, now, limits);
  }
  return picked;
}

/** The earliest time a gated job may be claimed, leaving out those held back (see JobStore.nextRunAt). */
export function gatedNextRunAt(rows: GatedRow[], now: number, limits: LimitSet | undefined, windows: RateWindows): number | null {
  let next: number | null = null;
  for (const view of byGate(rows)) {
    const waiting = view.rows.filter(claimable).sort(dueOrder);
    if (waiting.length === 0) continue;
    const { held, opensAt } = open(view, now, Number.POSITIVE_INFINITY, limits, windows);
    let at: number | null;
    if (parseGate(view.gate).kind === 'queue') at = held ? null : view.rows.find((row) => row.status !== 'cronjob')!.run_at;
    else at = held ? (opensAt === null ? null : Math.max(opensAt, waiting[0].run_at)) : waiting[0].run_at;
    if (at !== null && (next === null || at < next)) next = at;
  }
  return next;
}

/** Why the job `id` (one of `rows`) is held back by its gate at `now`, or null. */
export function heldByOf(id: number, rows: GatedRow[], now: number, limits: LimitSet | undefined, windows: RateWindows): HeldBy | null {
  const job = rows.find((row) => row.id === id);
  if (!job || !claimable(job)) return null;
  const view = byGate(rows.filter((row) => row.gate === job.gate))[0];
  const gate = parseGate(job.gate);
  if (gate.kind === 'queue') {
    const head = view.rows.find((row) => row.status !== 'cronjob');
    if (!head || head.id === id) return null;
    return { queue: gate.name, reason: `job ${head.id} of the queue ${claimable(head) ? 'comes' : 'runs'} first` };
  }
  return open(view, now, 0, limits, windows).held;
}
