import { limitGate, limitOf, parseGate, queueGate, type LimitRule, type LimitSet } from '../store/gate-rules.js';

/** One limit as a config or the service's options spell it. */
export interface LimitOptions {
  /** At most this many of its jobs run at once, across every process on the store. */
  concurrency?: number;
  /** At most `count` claims per window of `per`: milliseconds, or `'500ms'`, `'1s'`, `'1m'`, `'1h'`. */
  rate?: { count: number; per: number | string };
  /** A top-level field of the input (a string, number or boolean): the limit applies per value. */
  partitionBy?: string;
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a rate window: a whole number, or a whole number with a unit. */
function windowMs(name: string, per: unknown): number {
  const match = typeof per === 'string' ? /^(\d{1,9})(ms|s|m|h)$/.exec(per) : null;
  const ms = typeof per === 'number' ? per : match ? Number(match[1]) * UNITS[match[2]] : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 1) {
    throw new RangeError(`limit "${name}": rate.per must be a window of at least 1 ms, as milliseconds or like '500ms', '1s', '1m', '1h'; got ${JSON.stringify(per)}`);
  }
  return ms;
}

const wholeAtLeastOne = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 1;

/** Checks the service's limits and puts their windows in milliseconds; throws saying what is wrong. */
export function checkedLimits(limits: Record<string, LimitOptions> | undefined): LimitSet | undefined {
  if (limits === undefined) return undefined;
  const checked: Record<string, LimitRule> = {};
  for (const [name, limit] of Object.entries(limits)) {
    const rule: LimitRule = {};
    if (limit.concurrency !== undefined) {
      if (!wholeAtLeastOne(limit.concurrency)) throw new RangeError(`limit "${name}": concurrency must be a whole number, at least 1; got ${JSON.stringify(limit.concurrency)}`);
      rule.concurrency = limit.concurrency;
    }
    if (limit.rate !== undefined) {
      if (!wholeAtLeastOne(limit.rate.count)) throw new RangeError(`limit "${name}": rate.count must be a whole number, at least 1; got ${JSON.stringify(limit.rate.count)}`);
      rule.rate = { count: limit.rate.count, perMs: windowMs(name, limit.rate.per) };
    }
    if (rule.concurrency === undefined && rule.rate === undefined) {
      throw new RangeError(`limit "${name}" limits nothing: give it a concurrency, a rate ({ count, per }), or both`);
    }
    if (limit.partitionBy !== undefined) {
      if (typeof limit.partitionBy !== 'string' || limit.partitionBy === '') throw new RangeError(`limit "${name}": partitionBy must name a top-level field of the input`);
      rule.partitionBy = limit.partitionBy;
    }
    checked[name] = rule;
  }
  return checked;
}

/** Why a job cannot be added with the gate it asked for. */
export class GateOptionsError extends RangeError {
  readonly code = 'invalid_gate_options';

  constructor(message: string) {
    super(message);
    this.name = 'GateOptionsError';
  }
}

/** A queue's name: what `add(…, { queue })` accepts. */
export function checkedQueue(queue: unknown): string | undefined {
  if (queue === undefined) return undefined;
  if (typeof queue !== 'string' || queue.length < 1 || queue.length > 200) {
    throw new GateOptionsError(`queue must be a name of 1 to 200 characters; got ${JSON.stringify(queue)}`);
  }
  return queue;
}

/** What a job's gate says of it, for the APIs: its serial queue, or its limit (and partition). */
export function describeGate(gate: string | null | undefined): { queue: string | null; limit: { name: string; partition?: unknown } | null } {
  if (gate == null) return { queue: null, limit: null };
  const parsed = parseGate(gate);
  if (parsed.kind === 'queue') return { queue: parsed.name, limit: null };
  return { queue: null, limit: parsed.partition === undefined ? { name: parsed.name } : { name: parsed.name, partition: parsed.partition } };
}

/**
 * The gate a new job passes: its serial queue, or the limit of its task (partitioned by a field of
 * its input); null for none. A job under a limit cannot also name a queue: a queue already runs one
 * job at a time, and one job passing two gates would need both locks at once.
 */
export function gateOf(task: string, input: unknown, queue: string | undefined, limits: LimitSet | undefined): string | null {
  const limit = limitOf(limits, task);
  if (queue !== undefined) {
    if (limit) throw new GateOptionsError(`task "${task}" is under the limit "${limit.name}"; its jobs cannot also name a queue (a queue runs its jobs one at a time already)`);
    return queueGate(queue);
  }
  if (!limit) return null;
  const field = limit.rule.partitionBy;
  if (field === undefined) return limitGate(limit.name);
  const value = input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>)[field] : undefined;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new GateOptionsError(
      `the limit "${limit.name}" applies per value of the input's field "${field}": give the input a string, number or boolean "${field}"; got ${JSON.stringify(value) ?? 'none'}`,
    );
  }
  return limitGate(limit.name, value);
}
