import { parseGate, windowStart, type LimitSet } from './gate-rules.js';

/** A gate's claims in its current rate window. */
export interface RateWindow {
  windowStart: number;
  claims: number;
}

/** Ended windows are dropped once more than this many are kept (and then past twice what stayed). */
const DROP_ENDED_PAST = 1_024;

/**
 * Claims counted per gate of a service in its current fixed rate window, in this process (the
 * memory and SQLite stores; a restart opens every window afresh). A window that ended counts
 * nothing, so ended ones are dropped, in one pass each time the count of windows has doubled: a
 * rate partitioned by customer would otherwise keep one entry per customer ever seen.
 */
export class RateWindowCounts {
  readonly #windows = new Map<string, RateWindow & { endsAt: number }>();
  #dropAt = DROP_ENDED_PAST;

  get(service: string, gate: string): RateWindow | undefined {
    return this.#windows.get(`${service}\n${gate}`);
  }

  /** Counts `claims` claims of the gate's jobs at `now` in its rate window (a limit with a rate only). */
  count(service: string, gate: string, claims: number, now: number, limits: LimitSet | undefined): void {
    const parsed = parseGate(gate);
    const rate = parsed.kind === 'limit' ? limits?.[parsed.name]?.rate : undefined;
    if (!rate || claims === 0) return;
    const key = `${service}\n${gate}`;
    const start = windowStart(now, rate.perMs);
    const window = this.#windows.get(key);
    this.#windows.set(key, { windowStart: start, endsAt: start + rate.perMs, claims: (window?.windowStart === start ? window.claims : 0) + claims });
    if (this.#windows.size > this.#dropAt) this.#dropEnded(now);
  }

  /** How many windows are kept (for tests). */
  get size(): number {
    return this.#windows.size;
  }

  #dropEnded(now: number): void {
    for (const [key, window] of this.#windows) if (window.endsAt <= now) this.#windows.delete(key);
    this.#dropAt = Math.max(DROP_ENDED_PAST, 2 * this.#windows.size);
  }
}
