import type { HeldBy } from '../job-store.js';
import type { LimitSet } from '../gate-rules.js';
import { gatedNextRunAt, heldByOf, pickGated, type GatedRow, type RateWindows } from '../gate-picking.js';
import { RateWindowCounts } from '../rate-window-counts.js';
import { isWaiting } from '../status-sets.js';
import type { MemoryRow } from './job-rules.js';

/**
 * The memory store's gated jobs: per service, the open ones (waiting or running), which the gate
 * rules read at each claim; and the claims counted per rate window. Gated jobs stay out of the
 * due queues: only this picks them.
 */
export class MemoryGates {
  readonly #open = new Map<string, Map<number, MemoryRow>>();
  readonly #counts = new RateWindowCounts();

  /** After any change of a gated job. */
  track(job: MemoryRow): void {
    if (job.gate == null) return;
    let open = this.#open.get(job.service);
    if (!open) this.#open.set(job.service, (open = new Map()));
    if (isWaiting(job.status) || job.locked_by !== null) open.set(job.id, job);
    else open.delete(job.id);
  }

  forget(job: MemoryRow): void {
    this.#open.get(job.service)?.delete(job.id);
  }

  /** Up to `want` gated jobs of the service to claim at `now`, counted in their rate windows. */
  pick(service: string, now: number, want: number, limits: LimitSet | undefined, tasks?: ReadonlySet<string>): number[] {
    return pickGated(this.#rows(service), now, want, limits, this.#windows(service), tasks && ((row) => tasks.has(row.task!)));
  }

  /** Whether the gated job may be claimed by id at `now`; counts the claim when it may. */
  pickOne(job: MemoryRow, now: number, limits: LimitSet | undefined): boolean {
    if (heldByOf(job.id, this.#rows(job.service), now, limits, this.#windows(job.service)) !== null) return false;
    this.#counts.count(job.service, job.gate!, 1, now, limits);
    return true;
  }

  nextRunAt(service: string, now: number, limits: LimitSet | undefined): number | null {
    return gatedNextRunAt(this.#rows(service), now, limits, this.#windows(service));
  }

  /** Whether a gated job of the service is due at `now`, its gate aside. */
  hasDue(service: string, now: number): boolean {
    return this.#rows(service).some((row) => isWaiting(row.status) && !row.leased && row.run_at <= now);
  }

  heldBy(job: MemoryRow, now: number, limits: LimitSet | undefined): HeldBy | null {
    return heldByOf(job.id, this.#rows(job.service), now, limits, this.#windows(job.service));
  }

  /** The service's rate windows: each service counts its own, even for limits of the same name. */
  #windows(service: string): RateWindows {
    return {
      get: (gate) => this.#counts.get(service, gate),
      count: (gate, claims, now, limits) => this.#counts.count(service, gate, claims, now, limits),
    };
  }

  #rows(service: string): GatedRow[] {
    return [...(this.#open.get(service)?.values() ?? [])].map((job) => ({
      id: job.id, gate: job.gate!, status: job.status, run_at: job.run_at, leased: job.locked_by !== null, task: job.task,
    }));
  }
}
