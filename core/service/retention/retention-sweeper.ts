import type { Logger } from 'winston';
import type { JobStore } from '../../store/job-store.js';
import {
  RETENTION_BATCH, comparePositions, type FinishedPosition, type FinishedStatus,
} from '../../store/retention-rules.js';
import { retentionLimits, type RetentionConfig, type RetentionLimit } from './retention-options.js';

/** The store lock a sweep holds: one process sweeps a store at a time. */
export const RETENTION_LOCK = 'retention sweep';

/** How often a process tries to sweep (ms): finished jobs outlive their limit by at most this long. */
export const DEFAULT_RETENTION_INTERVAL = 60_000;

/** Removed jobs of one service and status, reported after each batch. */
export interface RetentionRemoved {
  service: string;
  status: FinishedStatus;
  count: number;
}

export interface SweepReport {
  /** False when another caller (in this process or another) was sweeping: this round was skipped. */
  ran: boolean;
  /** What was removed, by service and status (those with none left out). */
  removed: RetentionRemoved[];
}

export interface RetentionSweeperDeps {
  store: JobStore;
  logger: Logger;
  clock: () => number;
  /** The services to sweep and their retention, read at every sweep. */
  services: () => { address: string; options: { retention: RetentionConfig | false } }[];
  /** Jobs a batch looks at; default {@link RETENTION_BATCH}. */
  batchSize?: number;
  /** The share of its time a sweep works; it rests the remainder between batches. Default {@link RETENTION_DUTY}. */
  duty?: number;
  /** Whether this process's workers are working through a backlog now: the sweep then works {@link RETENTION_BUSY_SHARE} of its share. */
  busy?: () => boolean;
}

/**
 * A sweep works a quarter of its time: after a batch that took t ms it rests 3t. The database's
 * CPU and the process's event loop go to claims and outcomes in between; a sweep of a million jobs
 * takes minutes rather than seconds, which a background clean-up can afford.
 */
export const RETENTION_DUTY = 0.25;
/**
 * The part of its share a sweep works while this process's workers work through a backlog (a
 * sixteenth of its time): on SQLite the sweep shares their one file and thread, and at 0.4 of its
 * share it still took 13.7–15.0 % of their throughput, against 5.3–6.5 % at a quarter (the target:
 * under 15 %; docs/retention.md). The sweep catches up once the backlog is through.
 */
export const RETENTION_BUSY_SHARE = 0.25;

/** Before every position up to the end of time: "remove them all". */
const EVERYTHING: FinishedPosition = { completed: Number.MAX_SAFE_INTEGER, id: Number.MAX_SAFE_INTEGER };

/**
 * Removes finished jobs past their service's retention, on an interval. A sweep takes the store's
 * retention lock without waiting: when another process holds it, this one skips the round. Each
 * batch is one short write of at most `batchSize` jobs, and the sweeper lets the event loop run
 * between two (a claim of the same process, on SQLite, gets the file in between).
 */
export class RetentionSweeper {
  readonly #deps: RetentionSweeperDeps;
  readonly #listeners = new Set<(removed: RetentionRemoved) => void>();
  #timer?: NodeJS.Timeout;
  #current?: Promise<SweepReport>;
  #stopped = false;

  constructor(deps: RetentionSweeperDeps) {
    this.#deps = deps;
  }

  /** Called after every batch that removed jobs (for metrics); returns the unsubscribe function. */
  onRemoved(listener: (removed: RetentionRemoved) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Sweeps every `intervalMs`, the first time one interval from now. */
  start(intervalMs = DEFAULT_RETENTION_INTERVAL): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setInterval(() => {
      if (this.#current) return;
      this.sweep().catch((error: Error) => this.#deps.logger.warn(`retention sweep failed: ${error.message}`));
    }, intervalMs);
    this.#timer.unref();
  }

  /** Stops the interval and lets a sweep under way end after its current batch. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#current?.catch(() => undefined);
  }

  /** One sweep of every service, as at `now`. */
  sweep(now: number = this.#deps.clock()): Promise<SweepReport> {
    const run = this.#deps.store
      .tryExclusively(RETENTION_LOCK, () => this.#sweepAll(now))
      .then((outcome): SweepReport => (outcome.ran ? { ran: true, removed: outcome.value } : { ran: false, removed: [] }));
    this.#current = run;
    return run.finally(() => {
      if (this.#current === run) this.#current = undefined;
    });
  }

  async #sweepAll(now: number): Promise<RetentionRemoved[]> {
    const removed: RetentionRemoved[] = [];
    for (const service of this.#deps.services()) {
      let limits: RetentionLimit[];
      try {
        limits = retentionLimits(service.options.retention, `retention of ${service.address}`);
      } catch (error) {
        this.#deps.logger.warn(`${(error as Error).message}: its jobs are not swept`);
        continue;
      }
      const ofService: RetentionRemoved[] = [];
      for (const limit of limits) {
        if (this.#stopped) break;
        const count = await this.#sweepStatus(service.address, limit, now);
        if (count > 0) ofService.push({ service: service.address, status: limit.status, count });
      }
      if (ofService.length > 0) {
        const total = ofService.reduce((sum, entry) => sum + entry.count, 0);
        this.#deps.logger.info(
          `retention removed ${total} finished job(s) of ${service.address}: ${ofService.map((entry) => `${entry.count} ${entry.status}`).join(', ')}`,
        );
        removed.push(...ofService);
      }
    }
    return removed;
  }

  /** Removes the service's jobs of one status past its limits; returns how many. */
  async #sweepStatus(service: string, limit: RetentionLimit, now: number): Promise<number> {
    const { store } = this.#deps;
    const before = await this.#bound(service, limit, now);
    if (before === null) return 0;
    let after: FinishedPosition | null = null;
    let total = 0;
    const share = Math.min(1, Math.max(0.01, this.#deps.duty ?? RETENTION_DUTY));
    do {
      const duty = this.#deps.busy?.() ? share * RETENTION_BUSY_SHARE : share;
      const began = performance.now();
      const batch = await store.removeFinished({
        service, status: limit.status, before, after, now, limit: this.#deps.batchSize ?? RETENTION_BATCH,
      });
      total += batch.removed;
      if (batch.removed > 0) for (const listener of this.#listeners) listener({ service, status: limit.status, count: batch.removed });
      after = batch.last;
      // Rest between two batches, so that claims, outcomes and requests get the database and the
      // event loop; at duty 1, still let the event loop run once.
      const rest = ((performance.now() - began) * (1 - duty)) / duty;
      if (after !== null) await new Promise((resolve) => (rest >= 1 ? setTimeout(resolve, rest) : setImmediate(resolve)));
    } while (after !== null && !this.#stopped);
    return total;
  }

  /** Jobs before this position go: those older than maxAge, and those past the newest maxCount. Null: none goes. */
  async #bound(service: string, limit: RetentionLimit, now: number): Promise<FinishedPosition | null> {
    let bound: FinishedPosition | null = limit.maxAgeMs === null ? null : { completed: now - limit.maxAgeMs, id: Number.MIN_SAFE_INTEGER };
    if (limit.maxCount !== null) {
      // Kept: the newest maxCount; the maxCount-th newest is the first one kept.
      const byCount = limit.maxCount === 0 ? EVERYTHING : await this.#deps.store.finishedPosition(service, limit.status, limit.maxCount);
      if (byCount !== null && (bound === null || comparePositions(byCount, bound) > 0)) bound = byCount;
    }
    return bound;
  }
}
