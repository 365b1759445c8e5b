import type { Logger } from 'winston';
import type { JobRecord } from '../../jobs/job.js';
import type { JobStore } from '../../store/job-store.js';
import type { JobRunner } from '../job-runner.js';

export interface ProcessorDeps {
  /** The loop's name, the seed's thread name: `remotetasks.<site>.<service>`. */
  name: string;
  service: string;
  store: JobStore;
  runner: JobRunner;
  /** Claims up to `limit` due jobs for this service. */
  claim: (limit: number) => Promise<JobRecord[]>;
  logger: Logger;
  clock: () => number;
  pollInterval: number;
}

const MAX_ERROR_BACKOFF_MS = 5_000;
/** Prefetch at most this many jobs beyond the free slots (one claim's worth). */
const MAX_PREFETCH = 1_000;
/** Prefetch about this much work (seconds at the rate jobs end here): short jobs batch, long ones do not. */
const PREFETCH_HORIZON_S = 0.1;
/** How often the rate of ended jobs is sampled (ms). */
const RATE_WINDOW_MS = 50;

/**
 * A service's processing loop: keeps up to `concurrency` jobs running. It sleeps until something
 * can be done — a wake-up from the store (a job added, started, retried…), a slot freed by a
 * finished job, or the time the next delayed or cron job falls due — with a slow poll only as a
 * fallback. A failing store (database down) is retried with backoff; the loop never dies of it.
 *
 * Claims are batched: one claim takes as many jobs as there are free slots, plus a prefetch of
 * about {@link PREFETCH_HORIZON_S} seconds of work at the rate jobs have been ending here (none
 * while jobs are slow or the rate is unknown; at most {@link MAX_PREFETCH}). Prefetched jobs are
 * claimed and leased like running ones (their leases are renewed with them); a freed slot takes
 * the next one at once, without a round trip to the store; on stop they are handed back without
 * spending an attempt.
 */
export class Processor {
  #running = false;
  #loop?: Promise<void>;
  #wakePending = false;
  #wake?: () => void;
  readonly #inFlight = new Set<Promise<void>>();
  /** Slots taken: jobs whose task has not ended yet. */
  #active = 0;
  /** Claimed, leased jobs waiting for a slot, oldest first (from `#head` on). */
  #buffer: JobRecord[] = [];
  #head = 0;
  /** Jobs ended (per second) recently, and the window being counted. */
  #rate = 0;
  #windowStart = performance.now();
  #windowCount = 0;

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
    const waiting = this.#takeBuffer();
    if (waiting.length > 0) {
      await this.deps.runner.release(waiting).catch((error: unknown) => {
        this.deps.logger.error(`${this.name}: handing back ${waiting.length} prefetched job(s) failed: ${(error as Error).message}`);
      });
    }
    if (this.#inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const allDone = Promise.allSettled([...this.#inFlight]);
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeout)));
      if ((await Promise.race([allDone, timedOut])) === 'timeout') {
        this.deps.runner.abortAll('stopping');
        await allDone;
      }
      clearTimeout(timer);
    }
  }

  #notify = (): void => {
    this.#wakePending = true;
    this.#wake?.();
  };

  async #run(): Promise<void> {
    const unsubscribe = this.deps.store.onWake(this.deps.service, this.#notify);
    let errorBackoff = 100;
    try {
      while (this.#running) {
        this.#wakePending = false;
        this.#fillSlots();
        let idle = true;
        try {
          const free = this.concurrency - this.#active;
          const buffered = this.#buffer.length - this.#head;
          const prefetch = this.#prefetchTarget();
          const want = free + prefetch - buffered;
          // Top the buffer up once it is half drained, not after every job.
          const refill = buffered === 0 ? want > 0 : want >= Math.max(1, Math.ceil(prefetch / 2));
          if (refill) {
            const jobs = await this.deps.claim(want);
            this.deps.runner.hold(jobs);
            for (const job of jobs) this.#buffer.push(job);
            this.#fillSlots();
            // A full batch means there may be more: look again at once.
            idle = jobs.length < want;
          }
          errorBackoff = 100;
        } catch (error) {
          this.deps.logger.error(`${this.name}: claiming jobs failed, retrying in ${errorBackoff} ms: ${(error as Error).message}`);
          await this.#sleep(errorBackoff);
          errorBackoff = Math.min(MAX_ERROR_BACKOFF_MS, errorBackoff * 2);
          continue;
        }
        if (idle && this.#running) await this.#sleep(await this.#untilNextDue());
      }
    } finally {
      unsubscribe();
    }
  }

  /** Starts buffered jobs while slots are free (not once stopping: those are handed back). */
  #fillSlots(): void {
    while (this.#running && this.#active < this.concurrency && this.#head < this.#buffer.length) {
      const job = this.#buffer[this.#head++];
      this.#startJob(job);
    }
    if (this.#head > 0 && this.#head === this.#buffer.length) {
      this.#buffer = [];
      this.#head = 0;
    } else if (this.#head > 1024) {
      this.#buffer = this.#buffer.slice(this.#head);
      this.#head = 0;
    }
  }

  #takeBuffer(): JobRecord[] {
    const jobs = this.#buffer.slice(this.#head);
    this.#buffer = [];
    this.#head = 0;
    return jobs;
  }

  #startJob(job: JobRecord): void {
    this.#active++;
    let ended = false;
    const onSettled = () => {
      if (ended) return;
      ended = true;
      this.#active--;
      this.#windowCount++;
      // The next buffered job takes the slot at once; the loop tops the buffer up.
      this.#fillSlots();
      this.#notify();
    };
    const done: Promise<void> = this.deps.runner
      .run(job, undefined, { onSettled })
      .catch((error: unknown) => {
        this.deps.logger.error(`${this.name}: job ${job.id} could not be finished: ${(error as Error).message}`);
      })
      .finally(() => {
        onSettled();
        this.#inFlight.delete(done);
      });
    this.#inFlight.add(done);
  }

  /** How many jobs to claim beyond the free slots: about PREFETCH_HORIZON_S of work at the recent rate. */
  #prefetchTarget(): number {
    const now = performance.now();
    const elapsed = now - this.#windowStart;
    if (elapsed >= RATE_WINDOW_MS) {
      const sample = (this.#windowCount * 1000) / elapsed;
      // A quiet gap (idle queue) starts the estimate afresh rather than dragging it down slowly.
      this.#rate = elapsed > 10 * RATE_WINDOW_MS ? sample : (this.#rate + sample) / 2;
      this.#windowStart = now;
      this.#windowCount = 0;
    }
    return Math.min(MAX_PREFETCH, Math.floor(this.#rate * PREFETCH_HORIZON_S));
  }

  /** How long to sleep when idle: until the next delayed or cron job is due, at most the poll interval. */
  async #untilNextDue(): Promise<number> {
    if (this.#active >= this.concurrency) return this.deps.pollInterval;
    try {
      const next = await this.deps.store.nextRunAt(this.deps.service);
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
