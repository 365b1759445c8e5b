import { runContained } from '../../isolation/stray-errors.js';
import type { JobStatus } from '../../jobs/job.js';
import type { JobOutcome } from '../../store/job-store.js';
import type { Task } from '../../tasks/task.js';
import type { HeldJob, HeldJobs } from './held-jobs.js';
import type { OutcomeWriter } from './outcome-writer.js';
import { RunContext } from './run-context.js';
import { outcomeOf, type RunOutcome, type Settled } from './run-outcome.js';
import type { WorkerDeps } from './worker-deps.js';

export interface RunHooks {
  /**
   * Called once the task itself has ended (returned, thrown, or been abandoned), before its
   * outcome is stored: the processor frees the job's slot then. `run()` still resolves only once
   * the outcome is durable.
   */
  onSettled?: () => void;
}

const NO_HOOKS: RunHooks = {};

/**
 * Runs held jobs of one service: builds the task's context, enforces time limits and
 * cancellation, turns how the task ended into an outcome, and has it written. Nothing a task does
 * escapes `run()`. A job's events ('completed', 'failed', …) say what the store applied, and its
 * `run()` resolves, only once its outcome is durable; until then it stays held (its lease renewed).
 */
export class JobRunner {
  constructor(
    private readonly deps: WorkerDeps,
    private readonly held: HeldJobs,
    private readonly writer: OutcomeWriter,
  ) {}

  /** Runs a held job to its end and records the outcome. `fixedNow` pins the clock (ms). */
  async run(held: HeldJob, fixedNow?: number, hooks: RunHooks = NO_HOOKS): Promise<void> {
    const { service, events, logger, clock } = this.deps;
    const job = held.job;
    // No closures here (this runs once per job): `settled` guards the one call of hooks.onSettled.
    let settled = false;
    try {
      if (held.reason === 'lease lost') {
        logger.warn(`job ${job.id} (task ${job.task}) lost its lease before it started; another worker may run it`);
        return;
      }
      if (held.reason === 'cancelled') {
        settled = true;
        hooks.onSettled?.();
        await this.#finish(held, { kind: 'cancelled', error: null }, fixedNow ?? clock());
        return;
      }
      held.phase = 'running';
      events.emit({ type: 'started', service: service.address, jobId: job.id, task: job.task, status: job.status, time: fixedNow ?? clock() });

      const task = service.getTask(job.task);
      if (!task) {
        const available = service.taskNames();
        settled = true;
        hooks.onSettled?.();
        await this.#finish(held, {
          kind: 'failed',
          error: `task "${job.task}" is not registered any more; available tasks: ${available.join(', ') || '(none)'}`,
          errorStack: null,
        }, fixedNow ?? clock());
        return;
      }

      const timeout = job.timeout ?? task.timeout ?? this.deps.options.timeout;
      const timeoutTimer = timeout ? setTimeout(() => this.held.abort(job.id, 'timeout'), timeout) : undefined;
      let outcome: RunOutcome | undefined;
      try {
        const result = await this.#settle(task, held);
        if (result.kind === 'abandoned') {
          logger.warn(`job ${job.id} (task ${job.task}) ignored its abort signal for ${this.deps.options.abortGrace} ms; it is abandoned`);
        }
        outcome = outcomeOf(this.deps, task, job, result, held.reason, timeout, fixedNow ?? clock());
      } finally {
        clearTimeout(timeoutTimer);
        settled = true;
        hooks.onSettled?.();
      }
      if (outcome) await this.#finish(held, outcome, fixedNow ?? clock());
    } finally {
      if (!settled) hooks.onSettled?.();
      this.held.drop(held);
    }
  }

  /** Hands held jobs back to the queue without spending an attempt (a processor stopping). */
  async release(jobs: readonly HeldJob[]): Promise<void> {
    const { workerId, clock } = this.deps;
    const now = clock();
    const mine = jobs.filter((held) => held.reason !== 'lease lost');
    try {
      await Promise.all(mine.map((held) => {
        held.phase = 'recording';
        return this.writer.write({ kind: 'released', id: held.job.id, workerId, now });
      }));
    } finally {
      for (const held of jobs) this.held.drop(held);
    }
  }

  /** Runs the task; after an abort, waits at most the grace period for it to stop. */
  #settle(task: Task, held: HeldJob): Promise<Settled> {
    const context = new RunContext(this.deps, held);
    let value: unknown;
    try {
      value = runContained(task, held.job, context);
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
      held.onAbort = startGrace;
      if (held.reason) startGrace();
      Promise.resolve(value).then(
        (returned) => resolve({ kind: 'returned', value: returned }),
        (error: unknown) => resolve({ kind: 'threw', error }),
      ).finally(() => {
        clearTimeout(graceTimer);
        held.onAbort = undefined;
      });
    });
  }

  /** Writes the outcome, then tells the event stream what the store applied. */
  async #finish(held: HeldJob, outcome: RunOutcome, now: number): Promise<void> {
    const { workerId, logger } = this.deps;
    const job = held.job;
    held.phase = 'recording';
    // Built field by field (no spreads): this runs once per job.
    const stored: JobOutcome =
      outcome.kind === 'completed'
        ? { id: job.id, workerId, now, kind: 'completed', result: outcome.result }
        : ({ ...outcome, id: job.id, workerId, now } as JobOutcome);
    const status = await this.writer.write(stored);
    if (status === undefined) {
      logger.warn(`job ${job.id} (task ${job.task}) was taken over by another worker; its outcome here is dropped`);
      return;
    }
    this.#emitApplied(held, outcome, status, now);
  }

  /** The event says what the store applied: a cancel that landed while the outcome was written wins over it. */
  #emitApplied(held: HeldJob, outcome: RunOutcome, status: JobStatus, time: number): void {
    const { events, service } = this.deps;
    const { id: jobId, task } = held.job;
    const address = service.address;
    if (status === 'cancelled') {
      events.emit({ type: 'cancelled', service: address, jobId, task, status, time });
      return;
    }
    switch (outcome.kind) {
      case 'completed':
        events.emit({ type: 'completed', service: address, jobId, task, status, time });
        break;
      case 'failed':
        events.emit({ type: 'failed', service: address, jobId, task, status, time, error: outcome.error });
        break;
      case 'retry':
        events.emit({ type: 'retrying', service: address, jobId, task, status, time, error: outcome.error });
        break;
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function';
}
