import type { Logger } from 'winston';
import type { Token } from '../registry/token.js';
import type { BatchRecord, RelatedJob } from '../store/job-flows.js';

/** The service running a job, as its task sees it. */
export interface TaskServiceHandle {
  readonly name: string;
  /** `site@Service`, `@Service` in the root site. */
  readonly address: string;
}

/** What a running task gets besides its input. */
export interface TaskContext {
  /** The service running the job. */
  service: TaskServiceHandle;
  /** The name the task runs under (the job's task). */
  task: string;
  jobId: number;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  /** Aborted when the job is cancelled, times out or its service stops: stop promptly. */
  signal: AbortSignal;
  logger: Logger;
  /** Reports how far the job is, 0..1, with an optional message. */
  progress(fraction: number, message?: string): Promise<void>;
  /**
   * "Not now, again in `seconds`": throws a SnoozeError, which ends the run; the job waits
   * `delayed` until then, the attempt not counted (do not catch it in the task).
   */
  snooze(seconds: number): never;
  /**
   * What plugins provide (`ctx.provide(token, value)`), looked up from the service's site with
   * the root as fallback: `context.lookup(FileStoreToken)`. Undefined when nothing is bound.
   */
  lookup<T>(token: Token<T>, name?: string): T | undefined;
  /**
   * The jobs this job waited for (`after`, a flow), in id order: their id, task, status, result
   * and error. Empty for a job that waited for none.
   */
  parents(): Promise<RelatedJob[]>;
  /** The batch this job belongs to, with how many of its jobs completed, failed and were cancelled; null for none. */
  batch(): Promise<BatchRecord | null>;
}
