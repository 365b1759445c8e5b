import type { JobRecord } from '../../jobs/job.js';
import type { LimitSet } from '../../store/gate-rules.js';
import { HeldJobs } from './held-jobs.js';
import { JobRunner } from './job-runner.js';
import { LeaseKeeper } from './lease-keeper.js';
import { OutcomeWriter } from './outcome-writer.js';
import { Processor } from './processor.js';
import type { WorkerDeps } from './worker-deps.js';

export interface ProcessingOptions {
  /** The loop's name, the seed's thread name. */
  name: string;
  concurrency: number;
  /** Claims up to `limit` due jobs for the service. */
  claim: (limit: number) => Promise<JobRecord[]>;
  limits?: LimitSet;
}

/**
 * The worker side of one task service: runs the jobs it claims (one at a time by hand, or in its
 * processor loop), writes their outcomes and keeps their leases. Every job it holds is in one
 * list, from claim to stored outcome; a cancel request takes one route to it: the store's
 * notification (or, when that was lost, the lease renewal's look) → the held job by its id.
 */
export class ServiceWorker {
  readonly #deps: WorkerDeps;
  readonly #held: HeldJobs;
  readonly #leases: LeaseKeeper;
  readonly #runner: JobRunner;
  #stopCancels?: () => void;
  #processor?: Processor;
  #paused = false;

  constructor(deps: WorkerDeps) {
    this.#deps = deps;
    const { store, workerId, logger, clock, options } = deps;
    this.#held = new HeldJobs((busy) => this.#busyChanged(busy));
    this.#leases = new LeaseKeeper({
      store, workerId, logger, clock, leaseMs: options.leaseMs, held: this.#held, cancelRequested: this.cancelRequested,
    });
    this.#runner = new JobRunner(deps, this.#held, new OutcomeWriter({ store, logger, clock, leaseMs: options.leaseMs }));
  }

  /** The one cancel route: the held job stops (running) or will end `cancelled` without running (waiting). */
  readonly cancelRequested = (id: number): void => {
    this.#held.abort(id, 'cancelled');
  };

  readonly #onCancelRequested = ({ id }: { id: number }): void => this.cancelRequested(id);

  /** Cancel notifications and lease renewal run only while this worker holds jobs. */
  #busyChanged(busy: boolean): void {
    if (busy) {
      this.#leases.start();
      this.#stopCancels ??= this.#deps.store.onCancelRequested(this.#onCancelRequested);
    } else {
      this.#leases.stop();
      this.#stopCancels?.();
      this.#stopCancels = undefined;
    }
  }

  /** Runs a job claimed for this worker to its end and records the outcome. `fixedNow` pins the clock (ms). */
  run(job: JobRecord, fixedNow?: number): Promise<void> {
    return this.#runner.run(this.#held.hold(job, false), fixedNow);
  }

  get processor(): Processor | undefined {
    return this.#processor?.running ? this.#processor : undefined;
  }

  /** Starts the processor loop (a no-op while it runs). */
  startProcessing({ name, concurrency, claim, limits }: ProcessingOptions): void {
    if (this.#processor?.running) return;
    const { store, logger, clock, options } = this.#deps;
    this.#processor = new Processor(concurrency, {
      name, service: this.#deps.service.address, store, held: this.#held, runner: this.#runner, claim, logger, clock,
      pollInterval: options.pollInterval, limits,
    });
    this.#processor.setPaused(this.#paused);
    this.#processor.start();
  }

  /** Pauses or resumes claiming for a fleet-wide pause; a processor started later starts so. */
  setPaused(paused: boolean): void {
    this.#paused = paused;
    this.#processor?.setPaused(paused);
  }

  /** Stops the loop: waiting jobs go back, running ones get `stopTimeout` ms, then are aborted and handed back. */
  async stopProcessing(): Promise<void> {
    const processor = this.#processor;
    if (!processor) return;
    await processor.stop(this.#deps.options.stopTimeout);
    if (this.#processor === processor) this.#processor = undefined;
  }
}
