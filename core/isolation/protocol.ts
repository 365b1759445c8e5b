/**
 * What the main thread and an isolation worker say to each other. Kept free of imports that pull
 * in the kernel: the worker bootstrap loads this file too.
 */

export type WorkerMode = 'thread' | 'process';

/** One run of a task module, sent to a worker. */
export interface RunRequest {
  /** The task module's `file:` URL. */
  module: string;
  /** The name the task runs under, for messages. */
  task: string;
  input: unknown;
  jobId: number;
  attempt: number;
}

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** A TaskError: the job fails at once, without retries. */
  taskError: boolean;
}

/** How a run ended, as the worker reports it (crashes come as the pool's errors instead). */
export type RunReply = { ok: true; value: unknown } | { ok: false; error: SerializedError };

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** What a worker reports while a task runs. */
export type WorkerEvent =
  | { type: 'progress'; fraction: number; message?: string }
  | { type: 'log'; level: LogLevel; message: string }
  /** Process workers: an uncaught exception, reported just before the process exits. */
  | { type: 'crash'; message: string; stack?: string };

/** workerpool's events for captured output of a worker. */
export type StreamEvent = { stdout: string } | { stderr: string };

/** Where a value goes when it crosses, for messages. */
export function boundaryName(mode: WorkerMode, towards: 'worker' | 'main'): string {
  if (towards === 'main') return mode === 'thread' ? 'the main thread' : 'the main process';
  return mode === 'thread' ? 'its worker thread' : 'its worker process';
}

/**
 * Why `value` cannot cross into or out of a worker, or undefined when it can. Threads pass a
 * structured clone; processes pass JSON, which would silently drop functions and symbols — here
 * they are an error instead, as is anything JSON cannot write (BigInt, cycles).
 */
export function whyCannotCross(value: unknown, mode: WorkerMode, root: string): string | undefined {
  if (mode === 'thread') {
    try {
      structuredClone(value);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }
  const found = findUnwritable(value, root, new Set());
  if (found) return found;
  try {
    JSON.stringify(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function findUnwritable(value: unknown, path: string, seen: Set<object>): string | undefined {
  switch (typeof value) {
    case 'function':
      return `${path} is a function`;
    case 'symbol':
      return `${path} is a symbol`;
    case 'bigint':
      return `${path} is a BigInt`;
    case 'object': {
      if (value === null || seen.has(value)) return undefined;
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
      seen.add(value);
      const entries: Array<[string, unknown]> = Array.isArray(value)
        ? value.map((item, index) => [`${path}[${index}]`, item])
        : Object.entries(value).map(([key, item]) => [/^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`, item]);
      for (const [itemPath, item] of entries) {
        const found = findUnwritable(item, itemPath, seen);
        if (found) return found;
      }
      seen.delete(value);
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Turns anything thrown into what crosses back to the main thread. */
export function serializeError(error: unknown, isTaskError: (error: unknown) => boolean): SerializedError {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack, taskError: isTaskError(error) };
  }
  return { name: 'Error', message: String(error), taskError: isTaskError(error) };
}
