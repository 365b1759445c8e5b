import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import type { Logger } from 'winston';
import type { JobRecord } from '../../jobs/job.js';
import type { JobStore } from '../../store/job-store.js';
import type { LimitSet } from '../../store/gate-rules.js';
import type { HeldJob, HeldJobs } from './held-jobs.js';
import type { JobRunner } from './job-runner.js';

export interface ProcessorDeps {
  /** The loop's name, the seed's thread name: `remotetasks.<site>.<service>`. */
  name: string;
  service: string;
  store: JobStore;
  /** The worker's held jobs: the processor's prefetch waits there, in claim order. */
  held: HeldJobs;
  runner: JobRunner;
  /** Claims up to `limit` due jobs for this service. */
  claim: (limit: number) => Promise<JobRecord[]>;
  logger: Logger;
  clock: () => number;
  pollInterval: number;
  /** The service's limits: jobs they hold back are no reason to look again before a wake-up or a window's end. */
  limits?: LimitSet;
}

const MAX_ERROR_BACKOFF_MS = 5_000;
/** Prefetch at most this many jobs beyond the free slots (one claim's worth). */
const MAX_PREFETCH = 1_000;
/**
 * The prefetch grows (doubling) while each claim came back full and its jobs were through within
 * this long, and shrinks once claims are further apart: it holds about this much work (ms).
 */
const PREFETCH_HORIZON_MS = 100;

/**
 * A service's processing loop: keeps up to `concurrency` jobs running. It sleeps until something
 * can be done — a wake-up from the store (a job added, started, retried…), a slot freed by a
 * finished job, or the time the next delayed or cron job falls due — with a slow poll only as a
 * fallback. A failing store (database down) is retried with backoff; the loop never dies of it.
 *
 * Claims are batched: one claim takes as many jobs as there are free slots, plus a prefetch that
 * grows while a backlog is worked through quickly (see {@link PREFETCH_HORIZON_MS}; none while
 * jobs are slow; at most {@link MAX_PREFETCH}). Prefetched jobs wait in the worker's held jobs,
 * claimed and leased like running ones (their leases are renewed with them, a cancel reaches them
 * there); a freed slot takes the next one at once, without a round trip to the store; on stop
 * they are handed back without spending an attempt.
 */
export class Processor {
  #running = false;
  /** Paused for the whole fleet: claims nothing, runs what it holds to the end. */
  #paused = false;
  #loop?: Promise<void>;
  #wakePending = false;
  #wake?: () => void;
  /** Runs not over yet (their outcome not stored), and who waits for there to be none. */
  #inFlight = 0;
  #drained?: () => void;
  /** Slots taken: jobs whose task has not ended yet. */
  #active = 0;
  /** Jobs claimed beyond the free slots (see PREFETCH_HORIZON_MS). */
  #prefetch = 0;
  /** When the last claim was sent, and whether it came back full (a backlog). */
  #lastClaimAt = Number.NEGATIVE_INFINITY;
  #lastClaimFull = false;

  constructor(
    readonly concurrency: number,
    private readonly deps: ProcessorDeps,
  ) {}

  get name(): string {
    return this.deps.name;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Whether it is working through a backlog now: its last claim, within the last second, came back full. */
  get backlogged(): boolean {
    return this.#running && this.#lastClaimFull && performance.now() - this.#lastClaimAt < 1_000;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /**
   * Stops claiming and hands prefetched jobs back; running jobs get `timeout` ms to finish, then
   * the runner aborts them.
   */
  async stop(timeout: number): Promise<void> {
    if (!this.#loop) return;
    this.#running = false;
    this.#notify();
    await this.#loop;
    this.#loop = undefined;
    const waiting = this.deps.held.takeWaiting();
    if (waiting.length > 0) {
      await this.deps.runner.release(waiting).catch((error: unknown) => {
        this.deps.logger.error(`${this.name}: handing back ${waiting.length} prefetched job(s) failed: ${(error as Error).message}`);
      });
    }
    if (this.#inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      const allDone = new Promise<void>((resolve) => (this.#drained = resolve));
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeout)));
      if ((await Promise.race([allDone, timedOut])) === 'timeout') {
        this.deps.held.abortRunning('stopping');
        await allDone;
      }
      clearTimeout(timer);
      this.#drained = undefined;
    }
  }

  get paused(): boolean {
    return this.#paused;
  }

  /**
   * Pauses claiming (a fleet-wide pause) or resumes it at once. Running jobs go on to their end;
   * prefetched ones are handed back without spending an attempt, for the fleet to run after the resume.
   */
  setPaused(paused: boolean): void {
    if (this.#paused === paused) return;
    this.#paused = paused;
    if (paused) {
      const waiting = this.deps.held.takeWaiting();
      if (waiting.length > 0) {
        this.deps.runner.release(waiting).catch((error: unknown) => {
          this.deps.logger.error(`${this.name}: handing back ${waiting.length} prefetched job(s) failed: ${(error as Error).message}`);
        });
      }
    }
    this.#notify();
  }

  #notify = (): void => {
    this.#wakePending = true;
    this.#wake?.();
  };

  async #run(): Promise<void> {
    const unsubscribe = this.deps.store.onWake(this.deps.service, this.#notify);
    let errorBackoff = 100;
    let busy = false;
    try {
      while (this.#running) {
        // Working through a backlog, a claim and its runs can all resolve without a turn of the
        // event loop (SQLite answers at once): let it turn before the next claim, so the outcomes
        // of the jobs run are written (and the process's I/O served) as the work goes, instead of
        // piling up unwritten while their jobs stay leased.
        if (busy) await setImmediatePromise();
        this.#wakePending = false;
        this.#fillSlots();
        let idle = true;
        try {
          let want = this.#paused ? 0 : this.#wanted();
          if (want > 0) {
            want += this.#adaptPrefetch();
            this.#lastClaimAt = performance.now();
            const jobs = await this.deps.claim(want);
            this.#lastClaimFull = jobs.length === want;
            for (const job of jobs) this.deps.held.hold(job, true);
            this.#fillSlots();
            // A full batch means there may be more: look again at once.
            idle = jobs.length < want;
          }
          busy = !idle;
          errorBackoff = 100;
        } catch (error) {
          this.deps.logger.error(`${this.name}: claiming jobs failed, retrying in ${errorBackoff} ms: ${(error as Error).message}`);
          await this.#sleep(errorBackoff);
          errorBackoff = Math.min(MAX_ERROR_BACKOFF_MS, errorBackoff * 2);
          continue;
        }
        // Paused: asleep until the resume wakes it (the poll only as a fallback).
        if (idle && this.#running) await this.#sleep(this.#paused ? this.deps.pollInterval : await this.#untilNextDue());
      }
    } finally {
      unsubscribe();
    }
  }

  /**
   * How many jobs to claim now: the free slots plus the prefetch, less the jobs waiting; 0
   * while more than half the prefetch waits (it is topped up once half drained, not after every job).
   */
  #wanted(): number {
    const buffered = this.deps.held.waiting;
    const prefetch = this.#prefetch;
    const want = this.concurrency - this.#active + prefetch - buffered;
    const refill = buffered === 0 ? want > 0 : want >= Math.max(1, Math.ceil(prefetch / 2));
    return refill ? want : 0;
  }

  /** Starts waiting jobs while slots are free (not once stopping: those are handed back). */
  #fillSlots(): void {
    while (this.#running && !this.#paused && this.#active < this.concurrency) {
      const held = this.deps.held.next();
      if (!held) return;
      this.#startJob(held);
    }
  }

  #startJob(held: HeldJob): void {
    this.#active++;
    this.#inFlight++;
    // The runner calls onSettled exactly once per run, whatever happens; the hooks are shared.
    this.deps.runner.run(held, undefined, this.#hooks).then(this.#runEnded, (error: unknown) => this.#runFailed(held.job, error));
  }

  readonly #hooks = {
    onSettled: (): void => {
      this.#active--;
      // The next waiting job takes the slot at once; the loop is woken only when it has to claim.
      this.#fillSlots();
      if (!this.#running || this.#wanted() > 0) this.#notify();
    },
  };

  readonly #runEnded = (): void => {
    if (--this.#inFlight === 0) this.#drained?.();
  };

  #runFailed(job: JobRecord, error: unknown): void {
    this.deps.logger.error(`${this.name}: job ${job.id} could not be finished: ${(error as Error).message}`);
    this.#runEnded();
  }

  /**
   * Before a claim: a backlog that this worker gets through quickly (the last claim came back
   * full and its jobs are done within the horizon) doubles the prefetch, up to MAX_PREFETCH;
   * claims further apart halve it. Short jobs thus come in large batches, long ones one slot at a
   * time, and no worker sits on more than about PREFETCH_HORIZON_MS of work that others could run.
   * Returns how many more jobs this claim should take.
   */
  #adaptPrefetch(): number {
    const since = performance.now() - this.#lastClaimAt;
    const before = this.#prefetch;
    if (this.#lastClaimFull && since < PREFETCH_HORIZON_MS) {
      this.#prefetch = Math.min(MAX_PREFETCH, Math.max(this.concurrency, this.#prefetch * 2));
    } else if (since > 2 * PREFETCH_HORIZON_MS) {
      this.#prefetch = Math.floor(this.#prefetch / 2);
    }
    return Math.max(0, this.#prefetch - before);
  }

  /** How long to sleep when idle: until the next delayed or cron job is due, at most the poll interval. */
  async #untilNextDue(): Promise<number> {
    if (this.#active >= this.concurrency) return this.deps.pollInterval;
    try {
      const next = await this.deps.store.nextRunAt(this.deps.service, { now: this.deps.clock(), limits: this.deps.limits });
      if (next === null) return this.deps.pollInterval;
      return Math.max(0, Math.min(this.deps.pollInterval, next - this.deps.clock()));
    } catch {
      return this.deps.pollInterval;
    }
  }

  /** Sleeps up to `ms`, or until a wake-up (one that came meanwhile included). */
  #sleep(ms: number): Promise<void> {
    if (this.#wakePending || !this.#running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }
}
