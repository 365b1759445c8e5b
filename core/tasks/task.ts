import type { Token } from '../registry/token.js';
import type { TaskContext } from './task-context.js';

export type { TaskContext, TaskServiceHandle } from './task-context.js';

/** A JSON Schema (draft 2020-12 as ajv understands it) describing a task's input or output. */
export type JsonSchema = Record<string, unknown> | boolean;

/**
 * Where a task's code runs: `inline` in the service's own thread (the default: for I/O-bound
 * work), `thread` in a pool of worker threads (CPU-bound work), `process` in a pool of child
 * processes (code that may crash the runtime or leak memory). `thread` and `process` need a task
 * defined by a module: `isolatedTask(new URL('./my-task.js', import.meta.url), { runIn })`.
 */
export type RunIn = 'inline' | 'thread' | 'process';

export interface TaskOptions {
  /** Shown to users (`getAvailableTasks`, the API, the dashboard). */
  description?: string;
  /** The input is checked against it by `add()`: bad input never becomes a job. */
  inputSchema?: JsonSchema;
  outputSchema?: JsonSchema;
  /** Overrides the service's retry attempts for this task. */
  maxAttempts?: number;
  /** Aborts a run after this many milliseconds. */
  timeout?: number;
  /** Where the task runs; default: its plugin's `runIn`, else `inline`. See RunIn. */
  runIn?: RunIn;
}

/** A named unit of work that plugins register and services run. */
export interface Task<Input = any, Output = unknown> extends TaskOptions {
  run(input: Input, context: TaskContext): Output | Promise<Output>;
}

/** Named bindings: tasks by task name, in the root (global) or in a site. */
export const TaskToken: Token<Task> = Symbol.for('remotetask.Task');
