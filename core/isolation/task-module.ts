import { format } from 'node:util';
import type { RunIn } from '../tasks/task.js';
import type { LogLevel } from './protocol.js';

/** A console-like logger whose lines go to remotetask's log, tagged with the job. */
export interface TaskModuleLogger {
  error(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  info(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  /** Same as `info`. */
  log(...args: unknown[]): void;
}

/**
 * What the default export of a task module gets besides its input, wherever it runs: the same
 * for `inline`, `thread` and `process`. The kernel (services, store) stays on the main thread.
 */
export interface IsolatedTaskContext {
  /** The name the task runs under. */
  task: string;
  jobId: number;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  /** Where this run happens. */
  runIn: RunIn;
  /** Aborted when the job is cancelled, times out or its service stops: stop promptly. */
  signal: AbortSignal;
  /** Reports how far the job is, 0..1, with an optional message. */
  progress(fraction: number, message?: string): Promise<void>;
  logger: TaskModuleLogger;
}

/**
 * The default export of a task module: `export default async (input, context) => result`. The
 * result must be JSON (it is stored as such); it crosses back from a thread as a structured clone
 * and from a process as JSON. Type a module with `import type` only, so that the worker does not
 * load the kernel: `const run: IsolatedTaskFunction<In, Out> = async (input, context) => …`.
 */
export type IsolatedTaskFunction<Input = any, Output = unknown> = (
  input: Input,
  context: IsolatedTaskContext,
) => Output | Promise<Output>;

/** A TaskModuleLogger that hands each line, formatted as console does, to `write`. */
export function taskModuleLogger(write: (level: LogLevel, message: string) => void): TaskModuleLogger {
  return {
    error: (...args) => write('error', format(...args)),
    warn: (...args) => write('warn', format(...args)),
    info: (...args) => write('info', format(...args)),
    debug: (...args) => write('debug', format(...args)),
    log: (...args) => write('info', format(...args)),
  };
}
