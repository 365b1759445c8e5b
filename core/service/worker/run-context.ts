import type { Logger } from 'winston';
import type { Token } from '../../registry/token.js';
import { SnoozeError } from '../../tasks/snooze-error.js';
import type { TaskContext, TaskServiceHandle } from '../../tasks/task.js';
import type { BatchRecord, RelatedJob } from '../../store/job-flows.js';
import type { HeldJob } from './held-jobs.js';
import type { WorkerDeps } from './worker-deps.js';

/**
 * What a running task gets besides its input: one object per run. Its AbortSignal, logger child
 * and progress function are made only when the task first asks for them (most no-op-sized tasks
 * never do); each stays the same object for the run, and destructuring works as with plain fields.
 */
export class RunContext implements TaskContext {
  readonly service: TaskServiceHandle;
  readonly task: string;
  readonly jobId: number;
  readonly attempt: number;
  readonly #deps: WorkerDeps;
  readonly #held: HeldJob;
  #logger?: Logger;
  #progress?: TaskContext['progress'];

  constructor(deps: WorkerDeps, held: HeldJob) {
    this.service = deps.service;
    this.task = held.job.task;
    this.jobId = held.job.id;
    this.attempt = held.job.attempts;
    this.#deps = deps;
    this.#held = held;
  }

  get signal(): AbortSignal {
    this.#held.controller ??= new AbortController();
    return this.#held.controller.signal;
  }

  get logger(): Logger {
    return (this.#logger ??= this.#deps.logger.child({ jobId: this.jobId, task: this.task }));
  }

  snooze(seconds: number): never {
    throw new SnoozeError(seconds);
  }

  lookup<T>(token: Token<T>, name?: string): T | undefined {
    return this.#deps.service.site.lookup(token, name);
  }

  parents(): Promise<RelatedJob[]> {
    return this.#deps.store.parentsOf(this.jobId, Number.MAX_SAFE_INTEGER);
  }

  async batch(): Promise<BatchRecord | null> {
    // Read from the stored job: a claim does not carry the batch (its statements stay as they are).
    const id = (await this.#deps.store.get(this.jobId))?.batchId ?? null;
    return id === null ? null : ((await this.#deps.store.getBatch(id)) ?? null);
  }

  get progress(): TaskContext['progress'] {
    return (this.#progress ??= async (fraction: number, message?: string) => {
      const { service, store, workerId, events, clock } = this.#deps;
      const job = this.#held.job;
      const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
      await store.setProgress(job.id, workerId, clamped, message ?? null);
      events.emit({
        type: 'progress', service: service.address, jobId: job.id, task: job.task, status: job.status,
        time: clock(), progress: clamped, ...(message === undefined ? {} : { message }),
      });
    });
  }
}
