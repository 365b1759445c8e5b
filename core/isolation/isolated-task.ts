import { existsSync } from 'node:fs';
import { basename, isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { importModule } from '../loader/import-module.js';
import { TaskError } from '../tasks/task-error.js';
import type { RunIn, Task, TaskContext, TaskOptions } from '../tasks/task.js';
import { workerPoolsOf } from './isolation-pool.js';
import { taskModuleLogger, type IsolatedTaskContext, type IsolatedTaskFunction } from './task-module.js';

export type IsolatedTaskOptions = TaskOptions;

/** `.js` ↔ `.ts` (and `.mjs` ↔ `.mts`, `.cjs` ↔ `.cts`): the same module from source and compiled. */
const COUNTERPARTS: Record<string, string> = { '.js': '.ts', '.ts': '.js', '.mjs': '.mts', '.mts': '.mjs', '.cjs': '.cts', '.cts': '.cjs' };

/**
 * The task module's file URL. Plugins name it as compiled code names it
 * (`new URL('./hash-task.js', import.meta.url)`); running from source only the `.ts` file is
 * there, and the other way round: the counterpart that exists is taken.
 */
export function resolveTaskModule(module: URL | string): URL {
  let url: URL;
  if (module instanceof URL) url = module;
  else if (module.startsWith('file:')) url = new URL(module);
  else if (isAbsolute(module)) url = pathToFileURL(module);
  else {
    throw new TypeError(
      `isolatedTask needs the module's URL or absolute path, got "${module}": write new URL('${module}', import.meta.url)`,
    );
  }
  if (url.protocol !== 'file:') throw new TypeError(`isolatedTask needs a file: URL, got ${url.href}`);
  const path = fileURLToPath(url);
  if (existsSync(path)) return url;
  const extension = /\.[cm]?[jt]s$/.exec(path)?.[0];
  const counterpart = extension && COUNTERPARTS[extension];
  if (counterpart) {
    const other = path.slice(0, -extension.length) + counterpart;
    if (existsSync(other)) return pathToFileURL(other);
    throw new Error(`the task module ${path} does not exist (nor ${basename(other)} beside it)`);
  }
  throw new Error(`the task module ${path} does not exist`);
}

const ISOLATED_TASK = Symbol.for('remotetask.IsolatedTask');

/**
 * A task defined by a module whose default export is `async (input, context) => result`, so that
 * it can run in the main thread (`inline`), in a worker thread (`thread`) or in a child process
 * (`process`) — a function cannot cross into a thread, a module can. It is an ordinary `Task`:
 * services, retries, leases, progress, cancellation and timeouts work the same in every place.
 */
export class IsolatedTask<Input = any, Output = unknown> implements Task<Input, Output> {
  readonly [ISOLATED_TASK] = true;
  readonly module: URL;
  readonly description?: string;
  readonly inputSchema?: TaskOptions['inputSchema'];
  readonly outputSchema?: TaskOptions['outputSchema'];
  readonly maxAttempts?: number;
  readonly timeout?: number;
  /** Where it runs; undefined: its plugin's `runIn`, else `inline` (see placeTask). */
  readonly runIn?: RunIn;
  #inline?: Promise<IsolatedTaskFunction<Input, Output>>;

  constructor(module: URL | string, options: IsolatedTaskOptions = {}) {
    if (options.runIn !== undefined && !['inline', 'thread', 'process'].includes(options.runIn)) {
      throw new TypeError(`runIn must be "inline", "thread" or "process", got ${JSON.stringify(options.runIn)}`);
    }
    this.module = resolveTaskModule(module);
    this.description = options.description;
    this.inputSchema = options.inputSchema;
    this.outputSchema = options.outputSchema;
    this.maxAttempts = options.maxAttempts;
    this.timeout = options.timeout;
    this.runIn = options.runIn;
  }

  /** Recognised by a brand, as TaskError is: a plugin may bundle its own copy of remotetask. */
  static is(task: unknown): task is IsolatedTask {
    return typeof task === 'object' && task !== null && (task as Record<symbol, unknown>)[ISOLATED_TASK] === true;
  }

  /** The same task, running in `runIn`. */
  withRunIn(runIn: RunIn): IsolatedTask<Input, Output> {
    return new IsolatedTask(this.module, { ...this.#options(), runIn });
  }

  async run(input: Input, context: TaskContext): Promise<Output> {
    const task = context.task ?? basename(this.module.pathname).replace(/\.[^.]*$/, '');
    const runIn = this.runIn ?? 'inline';
    if (runIn === 'inline') return this.#runInline(input, context, task);
    const pool = workerPoolsOf(context.service, (token, name) => context.lookup(token, name)).get(runIn);
    return (await pool.run(
      { module: this.module.href, task, input, jobId: context.jobId, attempt: context.attempt },
      context,
    )) as Output;
  }

  async #runInline(input: Input, context: TaskContext, task: string): Promise<Output> {
    const fn = await (this.#inline ??= this.#loadInline(task));
    const inlineContext: IsolatedTaskContext = {
      task,
      jobId: context.jobId,
      attempt: context.attempt,
      runIn: 'inline',
      signal: context.signal,
      progress: (fraction, message) => context.progress(fraction, message),
      logger: taskModuleLogger((level, message) => context.logger.log(level, message)),
    };
    return fn(input, inlineContext);
  }

  async #loadInline(task: string): Promise<IsolatedTaskFunction<Input, Output>> {
    const loaded = await importModule(fileURLToPath(this.module)).catch((error: Error) => {
      this.#inline = undefined;
      throw new Error(`task "${task}" could not load its module ${this.module.href}: ${error.message}`, { cause: error });
    });
    if (typeof loaded.default !== 'function') {
      this.#inline = undefined;
      throw new TaskError(
        `the module of task "${task}" (${this.module.href}) must default-export a function (input, context) => result; its default export is ${typeof loaded.default}`,
      );
    }
    return loaded.default as IsolatedTaskFunction<Input, Output>;
  }

  #options(): IsolatedTaskOptions {
    const { description, inputSchema, outputSchema, maxAttempts, timeout, runIn } = this;
    return { description, inputSchema, outputSchema, maxAttempts, timeout, runIn };
  }

  toString(): string {
    return `<IsolatedTask ${this.module.href} in ${this.runIn ?? 'inline'}>`;
  }
}

/**
 * A task whose code is the default export of `module`, running where `options.runIn` says:
 *
 * ```ts
 * ctx.addTask('hash', isolatedTask(new URL('./hash-task.js', import.meta.url), { runIn: 'thread', timeout: 60_000 }));
 * ```
 */
export function isolatedTask<Input = any, Output = unknown>(
  module: URL | string,
  options: IsolatedTaskOptions = {},
): IsolatedTask<Input, Output> {
  return new IsolatedTask<Input, Output>(module, options);
}

/**
 * The task to register for `task`, given its plugin's `runIn` (undefined for tasks added at run
 * time): an isolated task without a `runIn` of its own takes the plugin's. A task defined by a
 * function can only run inline: asked to run elsewhere, it is an error naming the fix.
 */
export function placeTask(task: Task, pluginRunIn: RunIn | undefined, who: string): Task {
  const runIn = task.runIn ?? pluginRunIn;
  if (IsolatedTask.is(task)) return task.runIn === undefined && runIn !== undefined ? task.withRunIn(runIn) : task;
  if (runIn === undefined || runIn === 'inline') return task;
  const source = task.runIn !== undefined ? 'it says' : 'its plugin says';
  throw new Error(
    `${who}: ${source} runIn "${runIn}", but a task made of a function runs only inline; ` +
      `define it by a module with isolatedTask(new URL('./my-task.js', import.meta.url), { runIn: '${runIn}' })` +
      (task.runIn === undefined ? ` or give it { runIn: 'inline' }` : ''),
  );
}
