/*
 * Gates: what holds a job back beyond its due time. A job passes at most one gate, named in its
 * `gate` column (NULL for the plain jobs, which no gate rule ever reads):
 * - a limit, `["limit", name]` or `["limit", name, partition]`: at most `concurrency` of its jobs
 *   run at once across every process, and at most `rate.count` are claimed per fixed window of
 *   `rate.perMs` (windows start at multiples of `perMs` since the epoch);
 * - a serial queue, `["queue", name]`: its jobs run one at a time in the order they were added;
 *   the queue's head is its oldest job that is queued, delayed (a retry's wait) or running, so a
 *   failing job's retries come before the next job, and once it ends (error, cancelled) the queue
 *   moves on.
 * The same rules on every store; the SQL stores enforce them in the claim under a lock per gate.
 */

/** One limit, as the service's options give it (times already in ms). */
export interface LimitRule {
  /** At most this many of its jobs run at once, fleet-wide. */
  concurrency?: number;
  /** At most `count` claims per window of `perMs`. */
  rate?: { count: number; perMs: number };
  /** A top-level field of the input: the limit applies per value of it. */
  partitionBy?: string;
}

/** Limits by name: a task's name, or `*` for every task of the service without its own. */
export type LimitSet = Readonly<Record<string, LimitRule>>;

export type Gate = { kind: 'limit'; name: string; partition?: unknown } | { kind: 'queue'; name: string };

/**
 * A gate's kind as SQL over its `gate` column (`j`): the first nine characters of its JSON. The
 * SQLite gate indexes are partial on these terms, so each kind's index holds only its own jobs.
 */
export const isQueueGateSql = (j: string) => `substr(${j}.gate, 1, 9) = '["queue",'`;
export const isLimitGateSql = (j: string) => `substr(${j}.gate, 1, 9) = '["limit",'`;

export function queueGate(name: string): string {
  return JSON.stringify(['queue', name]);
}

export function limitGate(name: string, partition?: unknown): string {
  return JSON.stringify(partition === undefined ? ['limit', name] : ['limit', name, partition]);
}

export function parseGate(gate: string): Gate {
  const [kind, name, partition] = JSON.parse(gate) as [string, string, unknown];
  return kind === 'queue' ? { kind, name } : partition === undefined ? { kind: 'limit', name } : { kind: 'limit', name, partition };
}

/** The limit rule of a task under `limits`: its own, else the service-wide `*`. */
export function limitOf(limits: LimitSet | undefined, task: string): { name: string; rule: LimitRule } | undefined {
  if (!limits) return undefined;
  if (Object.hasOwn(limits, task)) return { name: task, rule: limits[task] };
  if (Object.hasOwn(limits, '*')) return { name: '*', rule: limits['*'] };
  return undefined;
}

/** The start of the rate window `now` falls in. */
export function windowStart(now: number, perMs: number): number {
  return Math.floor(now / perMs) * perMs;
}

/** What a gate's state lets through now. */
export interface GateState {
  /** Jobs of the gate leased now. */
  running: number;
  /** Claims counted in the window that starts at `windowStart`. */
  windowClaims: number;
  windowStart: number | null;
}

/**
 * How many more of a limit's jobs may be claimed at `now`, and if none, why: the reason a held
 * job shows, and when the limit opens again by itself (the rate window's end; a concurrency limit
 * opens when a run ends, which wakes the claimers).
 */
export function limitRoom(rule: LimitRule | undefined, state: GateState, now: number): { room: number; reason: string | null; opensAt: number | null } {
  if (!rule) return { room: Number.POSITIVE_INFINITY, reason: null, opensAt: null };
  let room = Number.POSITIVE_INFINITY;
  let reason: string | null = null;
  let opensAt: number | null = null;
  if (rule.concurrency !== undefined) {
    room = Math.max(0, rule.concurrency - state.running);
    if (room === 0) reason = `concurrency ${rule.concurrency} reached`;
  }
  if (rule.rate !== undefined) {
    const start = windowStart(now, rule.rate.perMs);
    const claims = state.windowStart === start ? state.windowClaims : 0;
    const rateRoom = Math.max(0, rule.rate.count - claims);
    if (rateRoom === 0 && room > 0) {
      reason = `rate ${rule.rate.count} per ${rule.rate.perMs} ms reached`;
      opensAt = start + rule.rate.perMs;
    }
    room = Math.min(room, rateRoom);
  }
  return { room, reason, opensAt };
}
