import type { Logger } from 'winston';
import type { JobRecord } from '../jobs/job.js';
import type { JobOutcome, JobStore } from '../store/job-store.js';
import { TaskError } from '../tasks/task-error.js';
import type { Task, TaskContext } from '../tasks/task.js';
import type { JobEventBus } from './job-events.js';
import { backoffDelay, type ServiceOptions } from './service-options.js';
import type { TaskService } from './task-service.js';

/** Why a running job's signal was aborted. */
export type AbortReason = 'cancelled' | 'timeout' | 'stopping' | 'lease lost';

interface RunningJob {
  job: JobRecord;
  controller: AbortController;
  reason?: AbortReason;
}

/** How a run ended, before the store's bookkeeping fields are added. */
type RunOutcome = JobOutcome extends infer O ? (O extends JobOutcome ? Omit<O, 'id' | 'workerId' | 'now'> : never) : never;

type Settled =
  | { kind: 'returned'; value: unknown }
  | { kind: 'threw'; error: unknown }
  | { kind: 'abandoned' };

export interface JobRunnerDeps {
  service: TaskService;
  store: JobStore;
  workerId: string;
  logger: Logger;
  events: JobEventBus;
  options: ServiceOptions;
  clock: () => number;
}

/**
 * Runs claimed jobs of one service: builds the task's context, enforces time limits and
 * cancellation, turns how the task ended into an outcome for the store, and keeps the leases of
 * running jobs alive. Nothing a task does escapes `run()`.
 */
export class JobRunner {
  readonly #running = new Map<number, RunningJob>();
  #leaseTimer?: NodeJS.Timeout;

  constructor(private readonly deps: JobRunnerDeps) {}

  get inFlight(): number {
    return this.#running.size;
  }

  isRunning(jobId: number): boolean {
    return this.#running.has(jobId);
  }

  /** Aborts one running job; returns false when it is not running here. */
  abort(jobId: number, reason: AbortReason): boolean {
    const running = this.#running.get(jobId);
    if (!running) return false;
    if (!running.reason) {
      running.reason = reason;
      running.controller.abort(new Error(`job ${jobId} aborted: ${reason}`));
    }
    return true;
  }

  abortAll(reason: AbortReason): void {
    for (const jobId of this.#running.keys()) this.abort(jobId, reason);
  }

  /** Runs a claimed job to its end and records the outcome. `fixedNow` pins the clock (ms). */
  async run(job: JobRecord, fixedNow?: number): Promise<void> {
    const { service, events } = this.deps;
    const now = () => fixedNow ?? this.deps.clock();
    events.emit({ type: 'started', service: service.address, jobId: job.id, task: job.task, status: job.status, time: now() });

    const task = service.getTask(job.task);
    if (!task) {
      const available = service.taskNames();
      await this.#finish(job, {
        kind: 'failed',
        error: `task "${job.task}" is not registered any more; available tasks: ${available.join(', ') || '(none)'}`,
        errorStack: null,
      }, now());
      return;
    }

    const running: RunningJob = { job, controller: new AbortController() };
    this.#running.set(job.id, running);
    this.#keepLeasesAlive();
    const timeout = task.timeout ?? this.deps.options.timeout;
    const timeoutTimer = timeout ? setTimeout(() => this.abort(job.id, 'timeout'), timeout) : undefined;
    try {
      const settled = await this.#settle(task, job, running.controller.signal);
      if (settled.kind === 'abandoned') {
        this.deps.logger.warn(
          `job ${job.id} (task ${job.task}) ignored its abort signal for ${this.deps.options.abortGrace} ms; it is abandoned`,
        );
      }
      const outcome = this.#outcomeOf(job, settled, running.reason, timeout, now());
      if (outcome) await this.#finish(job, outcome, now());
    } finally {
      clearTimeout(timeoutTimer);
      this.#running.delete(job.id);
      if (this.#running.size === 0) this.#stopLeaseRenewal();
    }
  }

  /** Runs the task; after an abort, waits at most the grace period for it to stop. */
  async #settle(task: Task, job: JobRecord, signal: AbortSignal): Promise<Settled> {
    const context = this.#contextFor(job, signal);
    const ran: Promise<Settled> = (async () => task.run(job.input, context))().then(
      (value) => ({ kind: 'returned', value }),
      (error: unknown) => ({ kind: 'threw', error }),
    );
    let graceTimer: NodeJS.Timeout | undefined;
    const abandoned = new Promise<Settled>((resolve) => {
      const startGrace = () => {
        graceTimer = setTimeout(() => resolve({ kind: 'abandoned' }), this.deps.options.abortGrace);
      };
      if (signal.aborted) startGrace();
      else signal.addEventListener('abort', startGrace, { once: true });
    });
    try {
      return await Promise.race([ran, abandoned]);
    } finally {
      clearTimeout(graceTimer);
    }
  }

  #contextFor(job: JobRecord, signal: AbortSignal): TaskContext {
    const { service, store, workerId, events, logger } = this.deps;
    return {
      service,
      jobId: job.id,
      attempt: job.attempts,
      signal,
      logger: logger.child({ jobId: job.id, task: job.task }),
      progress: async (fraction: number, message?: string) => {
        const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
        await store.setProgress(job.id, workerId, clamped, message ?? null);
        events.emit({
          type: 'progress', service: service.address, jobId: job.id, task: job.task, status: job.status,
          time: this.deps.clock(), progress: clamped, ...(message === undefined ? {} : { message }),
        });
      },
    };
  }

  #outcomeOf(
    job: JobRecord,
    settled: Settled,
    reason: AbortReason | undefined,
    timeout: number | undefined,
    now: number,
  ): RunOutcome | undefined {
    if (reason === 'lease lost') {
      this.deps.logger.warn(`job ${job.id} (task ${job.task}) lost its lease; another worker may run it`);
      return undefined;
    }
    if (reason === 'cancelled') return { kind: 'cancelled', error: 'cancelled while running' };
    if (reason === 'stopping') return { kind: 'released' };
    if (reason === 'timeout') {
      return this.#failure(job, new Error(`task "${job.task}" timed out after ${timeout} ms`), now);
    }
    if (settled.kind === 'returned') {
      try {
        // The store keeps JSON: a result that cannot become JSON fails its job here, clearly.
        const json = JSON.stringify(settled.value ?? null);
        return { kind: 'completed', result: JSON.parse(json) };
      } catch (error) {
        return {
          kind: 'failed',
          error: `the result of task "${job.task}" cannot be stored as JSON: ${(error as Error).message}`,
          errorStack: null,
        };
      }
    }
    if (settled.kind === 'threw') {
      if (TaskError.is(settled.error)) {
        return { kind: 'failed', error: settled.error.message, errorStack: null };
      }
      return this.#failure(job, settled.error, now);
    }
    return { kind: 'failed', error: `task "${job.task}" did not stop when aborted`, errorStack: null };
  }

  /** An unexpected error: retried while attempts are left (never for cron jobs, which run again anyway). */
  #failure(job: JobRecord, error: unknown, now: number): RunOutcome {
    const err = error instanceof Error ? error : new Error(String(error));
    const message = err.message || String(error);
    const canRetry = job.status === 'processing' && job.attempts < job.maxAttempts;
    const where = `job ${job.id} (task ${job.task}) failed on attempt ${job.attempts} of ${job.maxAttempts}`;
    if (canRetry) {
      const delay = backoffDelay(this.deps.options, job.attempts);
      this.deps.logger.error(`${where}, retrying in ${delay} ms: ${message}`, { stack: err.stack });
      return { kind: 'retry', error: message, errorStack: err.stack ?? null, runAt: now + delay };
    }
    this.deps.logger.error(`${where}: ${message}`, { stack: err.stack });
    return { kind: 'failed', error: message, errorStack: err.stack ?? null };
  }

  async #finish(job: JobRecord, outcome: RunOutcome, now: number): Promise<void> {
    const { workerId, events, service, logger } = this.deps;
    const applied = await this.#recordOutcome({ ...outcome, id: job.id, workerId, now } as JobOutcome);
    if (!applied.includes(job.id)) {
      logger.warn(`job ${job.id} (task ${job.task}) was taken over by another worker; its outcome here is dropped`);
      return;
    }
    const cron = job.status === 'cronjob';
    const base = { service: service.address, jobId: job.id, task: job.task, time: now };
    switch (outcome.kind) {
      case 'completed':
        events.emit({ ...base, type: 'completed', status: cron ? 'cronjob' : 'completed' });
        break;
      case 'failed':
        events.emit({ ...base, type: 'failed', status: cron ? 'cronjob' : 'error', error: outcome.error });
        break;
      case 'retry':
        events.emit({ ...base, type: 'retrying', status: 'queued', error: outcome.error });
        break;
      case 'cancelled':
        events.emit({ ...base, type: 'cancelled', status: 'cancelled' });
        break;
      case 'released':
        break;
    }
  }

  /**
   * Stores an outcome, retrying with backoff while the store is unreachable (a database restart).
   * It gives up once the lease is over: by then another worker may run the job, and the store
   * would refuse this worker's outcome anyway. The job is then recovered: at least once.
   */
  async #recordOutcome(outcome: JobOutcome): Promise<number[]> {
    const giveUpAt = this.deps.clock() + this.deps.options.leaseMs;
    for (let delay = 100; ; delay = Math.min(5_000, delay * 2)) {
      try {
        return await this.deps.store.finish([outcome]);
      } catch (error) {
        if (this.deps.clock() + delay > giveUpAt) throw error;
        this.deps.logger.warn(
          `recording the outcome of job ${outcome.id} failed, retrying in ${delay} ms: ${(error as Error).message}`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** One timer renews every running job's lease in one batch; a lease found lost aborts its job. */
  #keepLeasesAlive(): void {
    if (this.#leaseTimer) return;
    const { leaseMs } = this.deps.options;
    this.#leaseTimer = setInterval(() => void this.#renewLeases(), Math.max(10, Math.floor(leaseMs / 3)));
    this.#leaseTimer.unref();
  }

  #stopLeaseRenewal(): void {
    clearInterval(this.#leaseTimer);
    this.#leaseTimer = undefined;
  }

  async #renewLeases(): Promise<void> {
    const ids = [...this.#running.keys()];
    if (ids.length === 0) return;
    try {
      const held = new Set(
        await this.deps.store.renewLeases(ids, this.deps.workerId, this.deps.clock() + this.deps.options.leaseMs),
      );
      for (const id of ids) if (!held.has(id)) this.abort(id, 'lease lost');
    } catch (error) {
      this.deps.logger.warn(`renewing leases failed: ${(error as Error).message}`);
    }
  }
}
