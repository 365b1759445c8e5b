import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'winston';
import type { JobRecord } from '../jobs/job.js';
import type { Task, TaskContext } from '../tasks/task.js';

/** One inline run of a task: the async context its timers, callbacks and promises carry along. */
interface RunScope {
  job: JobRecord;
  /** Ends the run with the error (the job fails); unset once the run has ended. */
  fail?: (error: unknown) => void;
}

const scopes = new AsyncLocalStorage<RunScope>();
/** The runs that have not ended, for errors that lost their async context (queueMicrotask). */
const running = new Set<RunScope>();
let installed: StrayErrorContainment | undefined;

export interface StrayErrorContainment {
  /** Where stray errors are logged from now on (before: standard error). */
  logTo(logger: Logger): void;
  /** Removes the process handlers again. */
  uninstall(): void;
}

/**
 * Runs an inline task. While stray errors are contained, the run gets an async context of its
 * own, and an error that escapes it (a throw from a timer, an unhandled rejection) ends the run
 * as if the task had thrown it. Otherwise the task is simply called: no async context is kept,
 * which costs every promise of the process something.
 */
export function runContained(task: Task, job: JobRecord, context: TaskContext): unknown {
  // Isolated tasks run elsewhere: their worker contains their errors.
  if (!installed || (task.runIn !== undefined && task.runIn !== 'inline')) return task.run(job.input, context);
  const scope: RunScope = { job };
  running.add(scope);
  let value: unknown;
  try {
    value = scopes.run(scope, () => task.run(job.input, context));
  } catch (error) {
    running.delete(scope);
    throw error;
  }
  if (!isThenable(value)) {
    running.delete(scope);
    return value;
  }
  return new Promise((resolve, reject) => {
    scope.fail = reject;
    value.then(resolve, reject);
  }).finally(() => {
    scope.fail = undefined;
    running.delete(scope);
  });
}

/**
 * Installs process handlers for uncaught exceptions and unhandled rejections, so that nothing an
 * inline task does can stop the process: the error is logged with the job and task it came from
 * (its async context; failing that, the one inline run in progress), and that job fails. An error
 * no task can have caused still ends the process, as Node would, after it is logged.
 *
 * `remotetask serve` and `worker` install them at boot. The kernel does not: a host application
 * keeps its own handlers unless it calls this.
 */
export function containStrayErrors(logger?: Logger): StrayErrorContainment {
  if (installed) {
    if (logger) installed.logTo(logger);
    return installed;
  }
  let log = logger;
  const report = (message: string, error: unknown) => {
    const stack = error instanceof Error ? error.stack : undefined;
    if (log) log.error(message, { stack });
    else console.error(`${message}${stack ? `\n${stack}` : ''}`);
  };
  const onStray = (kind: string, error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const own = scopes.getStore();
    const candidates = own ? [own] : [...running];
    if (candidates.length === 0) {
      report(`${kind}, not from a task: the process ends: ${message}`, error);
      process.exit(1);
    }
    if (candidates.length > 1) {
      const jobs = candidates.map(({ job }) => `${job.id} (task ${job.task})`).join(', ');
      report(`${kind} from one of the running jobs ${jobs}, which cannot be told apart; the process stays up: ${message}`, error);
      return;
    }
    const [{ job, fail }] = candidates;
    const where = `job ${job.id} (task ${job.task}, service ${job.service})`;
    const likely = own ? '' : ' most likely';
    if (fail) {
      report(`${kind}${likely} from ${where}: the job fails, the process stays up: ${message}`, error);
      fail(error);
    } else {
      report(`${kind}${likely} from ${where}, which had already ended; the process stays up: ${message}`, error);
    }
  };
  const onException = (error: unknown) => onStray('uncaught exception', error);
  const onRejection = (reason: unknown) => onStray('unhandled rejection', reason);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  installed = {
    logTo(next) {
      log = next;
    },
    uninstall() {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
      installed = undefined;
    },
  };
  return installed;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function';
}
