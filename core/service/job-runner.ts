import type { Logger } from 'winston';
import type { JobRecord } from '../jobs/job.js';
import type { JobOutcome, JobStore } from '../store/job-store.js';
import { TaskError } from '../tasks/task-error.js';
import type { Task, TaskContext } from '../tasks/task.js';
import { validateTaskOutput } from '../tasks/task-schemas.js';
import type { JobEventBus } from './job-events.js';
import { backoffDelay, type ServiceOptions } from './service-options.js';
import type { TaskService } from './task-service.js';

/** Why a running job's signal was aborted. */
export type AbortReason = 'cancelled' | 'timeout' | 'stopping' | 'lease lost';

interface RunningJob {
  job: JobRecord;
  /** Made when the task first reads its signal, or when the job is aborted: most never need one. */
  controller?: AbortController;
  reason?: AbortReason;
  /** Starts the abort grace period of a task that is still running. */
  onAbort?: () => void;
}

/** A job claimed for this worker that has not started yet (a processor's prefetch). */
interface HeldJob {
  /** A cancel came for it: it ends `cancelled` without running. */
  cancelled: boolean;
  /** Its lease was found lost: another worker may have it now, so it must not run here. */
  lost: boolean;
}

/** An outcome waiting to be written with the others of its batch. */
interface PendingOutcome {
  outcome: JobOutcome;
  /** After this (ms, the runner's clock) another worker may own the job: stop trying. */
  giveUpAt: number;
  resolve: (applied: boolean) => void;
  reject: (error: unknown) => void;
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

export interface RunHooks {
  /**
   * Called once the task itself has ended (returned, thrown, or been abandoned), before its
   * outcome is stored: the processor frees the job's slot then. `run()` still resolves only once
   * the outcome is durable.
   */
  onSettled?: () => void;
}

/** At most this many outcomes go to the store in one `finish` call. */
const MAX_OUTCOMES_PER_WRITE = 1_000;

/**
 * Runs claimed jobs of one service: builds the task's context, enforces time limits and
 * cancellation, turns how the task ended into an outcome for the store, and keeps the leases of
 * running jobs alive. Nothing a task does escapes `run()`.
 *
 * Outcomes are written in batches: every outcome that comes while the previous write is on its
 * way (or within the same turn of the event loop) goes to the store in one `finish` call. A job's
 * events ('completed', 'failed', …) are emitted, and its `run()` resolves, only once its outcome
 * is durable; until then its lease is renewed like a running job's.
 */
export class JobRunner {
  readonly #running = new Map<number, RunningJob>();
  readonly #held = new Map<number, HeldJob>();
  /** Jobs whose task ended here and whose outcome is being written. */
  readonly #recording = new Set<number>();
  #pending: PendingOutcome[] = [];
  #writeScheduled = false;
  #writing = false;
  #retryDelay = 100;
  #leaseTimer?: NodeJS.Timeout;

  constructor(private readonly deps: JobRunnerDeps) {}

  get inFlight(): number {
    return this.#running.size;
  }

  isRunning(jobId: number): boolean {
    return this.#running.has(jobId);
  }

  /**
   * Takes claimed jobs into this runner's care before they run (a processor's prefetch): their
   * leases are renewed with the running jobs', and a cancel that comes for one is remembered.
   */
  hold(jobs: readonly JobRecord[]): void {
    for (const job of jobs) this.#held.set(job.id, { cancelled: false, lost: false });
    if (jobs.length > 0) this.#keepLeasesAlive();
  }

  /** Hands held jobs back to the queue without spending an attempt (a processor stopping). */
  async release(jobs: readonly JobRecord[]): Promise<void> {
    const { workerId, clock } = this.deps;
    const now = clock();
    const mine = jobs.filter((job) => {
      const held = this.#held.get(job.id);
      this.#held.delete(job.id);
      return held !== undefined && !held.lost;
    });
    for (const job of mine) this.#recording.add(job.id);
    try {
      await Promise.all(mine.map((job) => this.#record({ kind: 'released', id: job.id, workerId, now })));
    } finally {
      for (const job of mine) this.#recording.delete(job.id);
      this.#stopLeaseRenewalIfIdle();
    }
  }

  /** Aborts one running job (or marks a held one cancelled); returns false when it is not here. */
  abort(jobId: number, reason: AbortReason): boolean {
    const running = this.#running.get(jobId);
    if (!running) {
      const held = this.#held.get(jobId);
      if (!held) return false;
      if (reason === 'cancelled') held.cancelled = true;
      if (reason === 'lease lost') held.lost = true;
      return true;
    }
    if (!running.reason) {
      running.reason = reason;
      running.controller ??= new AbortController();
      running.controller.abort(new Error(`job ${jobId} aborted: ${reason}`));
      running.onAbort?.();
    }
    return true;
  }

  abortAll(reason: AbortReason): void {
    for (const jobId of this.#running.keys()) this.abort(jobId, reason);
    if (reason === 'cancelled') for (const held of this.#held.values()) held.cancelled = true;
  }

  /** Runs a claimed job to its end and records the outcome. `fixedNow` pins the clock (ms). */
  async run(job: JobRecord, fixedNow?: number, hooks: RunHooks = {}): Promise<void> {
    const { service, events } = this.deps;
    // No closures here (this runs once per job): `settled` guards the one call of hooks.onSettled.
    let settled = false;
    try {
      const held = this.#held.get(job.id);
      this.#held.delete(job.id);
      if (held?.lost) {
        this.deps.logger.warn(`job ${job.id} (task ${job.task}) lost its lease before it started; another worker may run it`);
        return;
      }
      if (held?.cancelled) {
        settled = true;
        hooks.onSettled?.();
        await this.#finish(job, { kind: 'cancelled', error: null }, fixedNow ?? this.deps.clock());
        return;
      }
      events.emit({ type: 'started', service: service.address, jobId: job.id, task: job.task, status: job.status, time: fixedNow ?? this.deps.clock() });

      const task = service.getTask(job.task);
      if (!task) {
        const available = service.taskNames();
        settled = true;
        hooks.onSettled?.();
        await this.#finish(job, {
          kind: 'failed',
          error: `task "${job.task}" is not registered any more; available tasks: ${available.join(', ') || '(none)'}`,
          errorStack: null,
        }, fixedNow ?? this.deps.clock());
        return;
      }

      const running: RunningJob = { job };
      this.#running.set(job.id, running);
      this.#keepLeasesAlive();
      const timeout = job.timeout ?? task.timeout ?? this.deps.options.timeout;
      const timeoutTimer = timeout ? setTimeout(() => this.abort(job.id, 'timeout'), timeout) : undefined;
      let outcome: RunOutcome | undefined;
      try {
        const result = await this.#settle(task, job, running);
        if (result.kind === 'abandoned') {
          this.deps.logger.warn(
            `job ${job.id} (task ${job.task}) ignored its abort signal for ${this.deps.options.abortGrace} ms; it is abandoned`,
          );
        }
        outcome = this.#outcomeOf(job, result, running.reason, timeout, fixedNow ?? this.deps.clock());
        if (outcome?.kind === 'completed') outcome = checkedAgainstOutputSchema(task, job, outcome);
      } finally {
        clearTimeout(timeoutTimer);
        // Still ours until its outcome is stored: the lease renewal covers it meanwhile.
        if (this.#running.get(job.id) === running) {
          this.#running.delete(job.id);
          if (outcome) this.#recording.add(job.id);
        }
        settled = true;
        hooks.onSettled?.();
      }
      if (outcome) {
        try {
          await this.#finish(job, outcome, fixedNow ?? this.deps.clock());
        } finally {
          this.#recording.delete(job.id);
        }
      }
    } finally {
      if (!settled) {
        settled = true;
        hooks.onSettled?.();
      }
      this.#stopLeaseRenewalIfIdle();
    }
  }

  /** Runs the task; after an abort, waits at most the grace period for it to stop. */
  #settle(task: Task, job: JobRecord, running: RunningJob): Promise<Settled> {
    const context = new RunContext(this.deps, job, running);
    let value: unknown;
    try {
      value = task.run(job.input, context);
    } catch (error) {
      return Promise.resolve({ kind: 'threw', error });
    }
    // A task that returned a plain value has ended: nothing to race against.
    if (!isThenable(value)) return Promise.resolve({ kind: 'returned', value });
    return new Promise<Settled>((resolve) => {
      let graceTimer: NodeJS.Timeout | undefined;
      const startGrace = () => {
        graceTimer ??= setTimeout(() => resolve({ kind: 'abandoned' }), this.deps.options.abortGrace);
      };
      running.onAbort = startGrace;
      if (running.reason) startGrace();
      Promise.resolve(value).then(
        (returned) => resolve({ kind: 'returned', value: returned }),
        (error: unknown) => resolve({ kind: 'threw', error }),
      ).finally(() => {
        clearTimeout(graceTimer);
        running.onAbort = undefined;
      });
    });
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
      const value = settled.value;
      // Plain JSON scalars need no copy; anything else goes through JSON once, which both checks
      // that the store can keep it and detaches it from the task's objects.
      if (value === undefined || value === null) return { kind: 'completed', result: null };
      const type = typeof value;
      if (type === 'string' || type === 'boolean' || (type === 'number' && Number.isFinite(value))) {
        return { kind: 'completed', result: value };
      }
      try {
        // The store keeps JSON: a result that cannot become JSON fails its job here, clearly.
        const json = JSON.stringify(value);
        return { kind: 'completed', result: json === undefined ? null : JSON.parse(json) };
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
    // Built field by field (no spreads): this runs once per job.
    const stored: JobOutcome =
      outcome.kind === 'completed'
        ? { id: job.id, workerId, now, kind: 'completed', result: outcome.result }
        : ({ ...outcome, id: job.id, workerId, now } as JobOutcome);
    const applied = await this.#record(stored);
    if (!applied) {
      logger.warn(`job ${job.id} (task ${job.task}) was taken over by another worker; its outcome here is dropped`);
      return;
    }
    const cron = job.status === 'cronjob';
    const address = service.address;
    switch (outcome.kind) {
      case 'completed':
        events.emit({ type: 'completed', service: address, jobId: job.id, task: job.task, status: cron ? 'cronjob' : 'completed', time: now });
        break;
      case 'failed':
        events.emit({
          type: 'failed', service: address, jobId: job.id, task: job.task, status: cron ? 'cronjob' : 'error', time: now, error: outcome.error,
        });
        break;
      case 'retry':
        events.emit({ type: 'retrying', service: address, jobId: job.id, task: job.task, status: 'queued', time: now, error: outcome.error });
        break;
      case 'cancelled':
        events.emit({ type: 'cancelled', service: address, jobId: job.id, task: job.task, status: 'cancelled', time: now });
        break;
      case 'released':
        break;
    }
  }

  /**
   * Stores an outcome with the others that come meanwhile; resolves with whether the store
   * applied it (false: another worker holds the job now). While the store is unreachable (a
   * database restart) the write is retried with backoff, until the outcome's lease is over: by
   * then another worker may run the job, and the store would refuse this worker's outcome
   * anyway. The job is then recovered: at least once.
   */
  #record(outcome: JobOutcome): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.#pending.push({ outcome, giveUpAt: this.deps.clock() + this.deps.options.leaseMs, resolve, reject });
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
        let applied: Set<number>;
        try {
          applied = new Set((await this.deps.store.finish(batch.map((entry) => entry.outcome))).map((done) => done.id));
          this.#retryDelay = 100;
        } catch (error) {
          await this.#writeFailed(batch, error);
          continue;
        }
        for (const entry of batch) entry.resolve(applied.has(entry.outcome.id));
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

  /** One timer renews the leases of every job in this runner's care in one batch; a lease found lost aborts its job. */
  #keepLeasesAlive(): void {
    if (this.#leaseTimer) return;
    const { leaseMs } = this.deps.options;
    this.#leaseTimer = setInterval(() => void this.#renewLeases(), Math.max(10, Math.floor(leaseMs / 3)));
    this.#leaseTimer.unref();
  }

  #stopLeaseRenewalIfIdle(): void {
    if (this.#running.size > 0 || this.#held.size > 0 || this.#recording.size > 0) return;
    clearInterval(this.#leaseTimer);
    this.#leaseTimer = undefined;
  }

  async #renewLeases(): Promise<void> {
    const ids = [...this.#running.keys(), ...this.#recording];
    for (const [id, held] of this.#held) if (!held.lost) ids.push(id);
    if (ids.length === 0) return;
    try {
      const { store, workerId, clock, options } = this.deps;
      const held = new Set(await store.renewLeases(ids, workerId, clock() + options.leaseMs));
      for (const id of ids) if (!held.has(id) && !this.#recording.has(id)) this.abort(id, 'lease lost');
      // Cancels arrive as notifications; this catches one missed while the store was unreachable.
      for (const id of await store.cancelRequestedAmong([...held])) this.abort(id, 'cancelled');
    } catch (error) {
      this.deps.logger.warn(`renewing leases failed: ${(error as Error).message}`);
    }
  }
}

/**
 * What a running task gets besides its input: one object per run. Its AbortSignal, logger child
 * and progress function are made only when the task first asks for them (most no-op-sized tasks
 * never do); each stays the same object for the run, and destructuring works as with plain fields.
 */
class RunContext implements TaskContext {
  readonly service: TaskService;
  readonly task: string;
  readonly jobId: number;
  readonly attempt: number;
  readonly #deps: JobRunnerDeps;
  readonly #job: JobRecord;
  readonly #running: RunningJob;
  #logger?: Logger;
  #progress?: TaskContext['progress'];

  constructor(deps: JobRunnerDeps, job: JobRecord, running: RunningJob) {
    this.service = deps.service;
    this.task = job.task;
    this.jobId = job.id;
    this.attempt = job.attempts;
    this.#deps = deps;
    this.#job = job;
    this.#running = running;
  }

  get signal(): AbortSignal {
    this.#running.controller ??= new AbortController();
    return this.#running.controller.signal;
  }

  get logger(): Logger {
    return (this.#logger ??= this.#deps.logger.child({ jobId: this.#job.id, task: this.#job.task }));
  }

  get progress(): TaskContext['progress'] {
    return (this.#progress ??= async (fraction: number, message?: string) => {
      const { service, store, workerId, events, clock } = this.#deps;
      const job = this.#job;
      const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
      await store.setProgress(job.id, workerId, clamped, message ?? null);
      events.emit({
        type: 'progress', service: service.address, jobId: job.id, task: job.task, status: job.status,
        time: clock(), progress: clamped, ...(message === undefined ? {} : { message }),
      });
    });
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function';
}

function describeIds(entries: PendingOutcome[]): string {
  const ids = entries.map((entry) => entry.outcome.id);
  return ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')}, …`;
}

/** A result that breaks the task's own output schema fails its job (no retry: the task would break it again). */
function checkedAgainstOutputSchema(task: Task, job: JobRecord, outcome: RunOutcome & { kind: 'completed' }): RunOutcome {
  const problems = validateTaskOutput(task, (outcome as { result: unknown }).result);
  if (problems.length === 0) return outcome;
  const listed = problems.map((problem) => `${problem.path || '(result)'} ${problem.message}`).join('; ');
  return { kind: 'failed', error: `the result of task "${job.task}" does not match its output schema: ${listed}`, errorStack: null };
}

