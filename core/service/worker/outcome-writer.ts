import type { Logger } from 'winston';
import type { JobStatus } from '../../jobs/job.js';
import type { JobOutcome, JobStore } from '../../store/job-store.js';

export interface OutcomeWriterDeps {
  store: JobStore;
  logger: Logger;
  clock: () => number;
  /** How long a lease holds (ms): an outcome not written by then is given up. */
  leaseMs: number;
}

/** An outcome waiting to be written with the others of its batch. */
interface PendingOutcome {
  outcome: JobOutcome;
  /** After this (ms, the writer's clock) another worker may own the job: stop trying. */
  giveUpAt: number;
  /** With the job's status after the outcome, or undefined when the store did not apply it. */
  resolve: (applied: JobStatus | undefined) => void;
  reject: (error: unknown) => void;
}

/** At most this many outcomes go to the store in one `finish` call. */
const MAX_OUTCOMES_PER_WRITE = 1_000;

/**
 * Writes run outcomes in batches: every outcome that comes while the previous write is on its
 * way (or within the same turn of the event loop) goes to the store in one `finish` call. Each
 * outcome's promise resolves with the status the store applied, which is what its events say.
 */
export class OutcomeWriter {
  #pending: PendingOutcome[] = [];
  #writeScheduled = false;
  #writing = false;
  #retryDelay = 100;

  constructor(private readonly deps: OutcomeWriterDeps) {}

  /**
   * Stores an outcome with the others that come meanwhile; resolves with the job's status after
   * it, or undefined when the store refused it (another worker holds the job now). While the
   * store is unreachable (a database restart) the write is retried with backoff, until the
   * outcome's lease is over: by then another worker may run the job, and the store would refuse
   * this worker's outcome anyway. The job is then recovered: at least once.
   */
  write(outcome: JobOutcome): Promise<JobStatus | undefined> {
    return new Promise<JobStatus | undefined>((resolve, reject) => {
      this.#pending.push({ outcome, giveUpAt: this.deps.clock() + this.deps.leaseMs, resolve, reject });
      this.#scheduleWrite();
    });
  }

  #scheduleWrite(): void {
    if (this.#writeScheduled || this.#writing) return;
    this.#writeScheduled = true;
    // After this turn's other outcomes (jobs that ended together) have joined the batch.
    setImmediate(() => void this.#write());
  }

  async #write(): Promise<void> {
    this.#writeScheduled = false;
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, MAX_OUTCOMES_PER_WRITE);
        const applied = new Map<number, JobStatus>();
        try {
          for (const done of await this.deps.store.finish(batch.map((entry) => entry.outcome))) applied.set(done.id, done.status);
          this.#retryDelay = 100;
        } catch (error) {
          await this.#writeFailed(batch, error);
          continue;
        }
        for (const entry of batch) entry.resolve(applied.get(entry.outcome.id));
      }
    } finally {
      this.#writing = false;
    }
  }

  /** Gives up the outcomes whose lease is over; the others wait and go again (first in line). */
  async #writeFailed(batch: PendingOutcome[], error: unknown): Promise<void> {
    const delay = this.#retryDelay;
    this.#retryDelay = Math.min(5_000, delay * 2);
    const now = this.deps.clock();
    const retry: PendingOutcome[] = [];
    for (const entry of batch) {
      if (now + delay > entry.giveUpAt) entry.reject(error);
      else retry.push(entry);
    }
    if (retry.length === 0) return;
    const message = (error as Error).message;
    this.deps.logger.warn(
      retry.length === 1
        ? `recording the outcome of job ${retry[0].outcome.id} failed, retrying in ${delay} ms: ${message}`
        : `recording the outcomes of ${retry.length} jobs (${describeIds(retry)}) failed, retrying in ${delay} ms: ${message}`,
    );
    await new Promise((resolve) => setTimeout(resolve, delay));
    this.#pending = [...retry, ...this.#pending];
  }
}

function describeIds(entries: PendingOutcome[]): string {
  const ids = entries.map((entry) => entry.outcome.id);
  return ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')}, …`;
}
