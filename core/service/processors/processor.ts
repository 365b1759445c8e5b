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

/**
 * A service's processing loop: keeps up to `concurrency` jobs running. It sleeps until something
 * can be done — a wake-up from the store (a job added, started, retried…), a slot freed by a
 * finished job, or the time the next delayed or cron job falls due — with a slow poll only as a
 * fallback. A failing store (database down) is retried with backoff; the loop never dies of it.
 */
export class Processor {
  #running = false;
  #loop?: Promise<void>;
  #wakePending = false;
  #wake?: () => void;
  readonly #inFlight = new Set<Promise<void>>();

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

  /** Stops claiming; running jobs get `timeout` ms to finish, then the runner aborts them. */
  async stop(timeout: number): Promise<void> {
    if (!this.#loop) return;
    this.#running = false;
    this.#notify();
    await this.#loop;
    this.#loop = undefined;
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
        let idle = true;
        try {
          const free = this.concurrency - this.#inFlight.size;
          if (free > 0) {
            const jobs = await this.deps.claim(free);
            for (const job of jobs) this.#startJob(job);
            // A full batch means there may be more: look again at once.
            idle = jobs.length < free;
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

  #startJob(job: JobRecord): void {
    const done: Promise<void> = this.deps.runner
      .run(job)
      .catch((error: unknown) => {
        this.deps.logger.error(`${this.name}: job ${job.id} could not be finished: ${(error as Error).message}`);
      })
      .finally(() => {
        this.#inFlight.delete(done);
        this.#notify();
      });
    this.#inFlight.add(done);
  }

  /** How long to sleep when idle: until the next delayed or cron job is due, at most the poll interval. */
  async #untilNextDue(): Promise<number> {
    if (this.#inFlight.size >= this.concurrency) return this.deps.pollInterval;
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
