import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import workerpool from 'workerpool';
import type { Token } from '../registry/token.js';
import { TaskError } from '../tasks/task-error.js';
import type { TaskContext, TaskServiceHandle } from '../tasks/task.js';
import { type IsolationOptions, poolSize } from './isolation-options.js';
import {
  boundaryName,
  whyCannotCross,
  type RunReply,
  type RunRequest,
  type SerializedError,
  type StreamEvent,
  type WorkerEvent,
  type WorkerMode,
} from './protocol.js';

type WorkerPool = ReturnType<typeof workerpool.pool>;

export interface IsolationPoolOptions {
  mode: WorkerMode;
  /** How many workers at most. */
  size: number;
  /** Each worker's JavaScript heap limit (MB); undefined: Node's default. */
  memoryLimitMb?: number;
  /** How long an aborted run may take to stop before its worker is terminated (ms). */
  grace: number;
  /** The owning service's address, for messages. */
  service: string;
}

/** The worker bootstrap: `.ts` from source (tsx, vitest), `.js` once compiled. */
const BOOTSTRAP = new URL(`./worker-main${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
const FROM_SOURCE = BOOTSTRAP.pathname.endsWith('.ts');

/** The exit code of a worker thread whose bootstrap could not load. */
const BOOTSTRAP_FAILED = '70';

/**
 * A worker thread starts from this script: it registers tsx's loader first when the bootstrap is
 * TypeScript (a worker thread does not inherit the main thread's loaders), then loads it. When the
 * bootstrap cannot load, its error goes to the worker's stderr (the job's log).
 */
const THREAD_SCRIPT = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) {
    const { register } = await import(workerData.tsx);
    register();
  }
  await import(workerData.bootstrap);
})().catch((error) => {
  console.error(error);
  process.exit(${BOOTSTRAP_FAILED});
});
`;

/** Thrown by a run that found its worker already dead: the job never started, so try another. */
class DeadOnArrival extends Error {}

/** A job aborted on the main side: the runner knows why (cancel, timeout, stop) and decides. */
function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

function deserializeError(error: SerializedError): Error {
  const rebuilt = error.taskError ? new TaskError(error.message) : new Error(error.message);
  if (!error.taskError) rebuilt.name = error.name;
  if (error.stack) rebuilt.stack = error.stack;
  return rebuilt;
}

/** A worker's own output (console.log, a crash dump) goes to the job's log: stdout as info, stderr as warn. */
function logOutput(context: TaskContext, level: 'info' | 'warn', text: string): void {
  const trimmed = text.replace(/\n+$/, '');
  if (trimmed) context.logger.log(level, trimmed);
}

/**
 * One service's pool of worker threads or child processes (workerpool underneath): started on
 * first use, it runs a task module's default export for a job in a worker, forwards the worker's
 * progress and log lines to the job's context, stops the worker's run when the job's signal
 * aborts (terminating the worker when it does not stop within the grace period), and turns a
 * worker that crashed, exited or ran out of memory into an ordinary error of that one job.
 */
export class IsolationPool {
  #pool?: WorkerPool;
  #closed = false;

  constructor(readonly options: IsolationPoolOptions) {}

  get started(): boolean {
    return this.#pool !== undefined;
  }

  /**
   * Workers alive, busy ones, and runs waiting for a worker. (workerpool counts a worker that died
   * between jobs until it is next picked; `workers` leaves it out.)
   */
  stats(): { workers: number; busy: number; waiting: number } {
    const stats = this.#pool?.stats();
    const handlers = (this.#pool as unknown as { workers?: Array<{ terminated?: boolean }> } | undefined)?.workers ?? [];
    return {
      workers: handlers.filter((handler) => !handler.terminated).length,
      busy: stats?.busyWorkers ?? 0,
      waiting: stats?.pendingTasks ?? 0,
    };
  }

  /** Runs `request` in a worker; resolves with the task's result, rejects with the job's error. */
  async run(request: RunRequest, context: TaskContext): Promise<unknown> {
    const { mode } = this.options;
    const why = whyCannotCross(request.input, mode, 'input');
    if (why !== undefined) {
      throw new TaskError(`the input of task "${request.task}" cannot cross to ${boundaryName(mode, 'worker')}: ${why}`);
    }
    for (let tries = 1; ; tries++) {
      try {
        return await this.#runOnce(request, context);
      } catch (error) {
        // A worker that died between two jobs (a timer left by an earlier task threw) is found
        // dead when the next job is handed to it; the pool drops it, and the job goes to another.
        if (!(error instanceof DeadOnArrival) || tries > this.options.size) throw error;
        context.logger.warn(
          `a worker ${mode} of service ${this.options.service} had died between jobs; job ${request.jobId} goes to another`,
        );
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  async #runOnce(request: RunRequest, context: TaskContext): Promise<unknown> {
    if (this.#closed) throw new Error(`the ${this.options.mode} pool of service ${this.options.service} is closed`);
    if (context.signal.aborted) throw abortError(context.signal);
    const pool = (this.#pool ??= this.#createPool());

    let progress: Promise<void> = Promise.resolve();
    let crash: { message: string; stack?: string } | undefined;
    let stderr = '';
    const onEvent = (event: WorkerEvent | StreamEvent) => {
      if ('stdout' in event) return logOutput(context, 'info', event.stdout);
      if ('stderr' in event) {
        stderr = (stderr + event.stderr).slice(-8192);
        return logOutput(context, 'warn', event.stderr);
      }
      switch (event.type) {
        case 'progress':
          progress = progress
            .then(() => context.progress(event.fraction, event.message))
            .catch((error: Error) => {
              context.logger.warn(`progress of job ${request.jobId} was not recorded: ${error.message}`);
            });
          break;
        case 'log':
          context.logger.log(event.level, event.message);
          break;
        case 'crash':
          crash = event;
          break;
      }
    };

    let reply: RunReply;
    const execution = pool.exec('run', [request], { on: onEvent });
    // Returns nothing: EventTarget treats a listener's returned promise as its own, and this one rejects.
    const cancel = () => {
      execution.cancel();
    };
    context.signal.addEventListener('abort', cancel, { once: true });
    try {
      reply = (await execution) as RunReply;
    } catch (error) {
      await progress;
      if (context.signal.aborted) throw abortError(context.signal);
      if (error instanceof workerpool.TerminateError && error.message === 'Worker is terminated') throw new DeadOnArrival();
      throw this.#crashError(request.task, error, crash, stderr);
    } finally {
      context.signal.removeEventListener('abort', cancel);
    }
    await progress;
    if (reply.ok) return reply.value;
    throw deserializeError(reply.error);
  }

  /** Says what happened to the worker that ran `task`, in words a job's error can carry. */
  #crashError(task: string, error: unknown, crash: { message: string; stack?: string } | undefined, stderr: string): Error {
    const { mode, memoryLimitMb } = this.options;
    const who = `the worker ${mode} running task "${task}"`;
    const limit = memoryLimitMb ? `limit ${memoryLimitMb} MB` : "Node's default heap limit";
    let message: string;
    let stack: string | undefined = crash?.stack;
    if (error instanceof workerpool.TerminateError) {
      const cause = error.cause as (Error & { code?: string }) | undefined;
      const exitCode = /exitCode: `([^`]*)`/.exec(error.message)?.[1];
      const signal = /signalCode: `([^`]*)`/.exec(error.message)?.[1];
      const killedBy = signal && signal !== 'null' && signal !== 'undefined' ? signal : undefined;
      if (cause?.code === 'ERR_WORKER_OUT_OF_MEMORY' || /heap out of memory|Reached heap limit/i.test(stderr)) {
        message = `${who} ran out of memory (${limit})`;
      } else if (cause) {
        message = `${who} crashed: uncaught ${cause.name}: ${cause.message}`;
        stack = cause.stack;
      } else if (killedBy) {
        message =
          killedBy === 'SIGABRT'
            ? `${who} was aborted (SIGABRT), most likely because it ran out of memory (${limit})`
            : `${who} was killed by ${killedBy}`;
      } else if (exitCode === BOOTSTRAP_FAILED) {
        message = `${who} could not start (the worker bootstrap failed to load; its error is in the log)`;
      } else if (exitCode !== undefined) {
        message = `${who} exited with code ${exitCode}${crash ? `: uncaught ${crash.message}` : ''}`;
      } else {
        message = `${who} stopped unexpectedly: ${error.message.split('\n')[0]}`;
      }
    } else {
      message = `${who} failed: ${(error as Error)?.message ?? String(error)}`;
    }
    const failure = new Error(message, { cause: error });
    failure.stack = `Error: ${message}${stack ? `\n  in the worker: ${stack}` : ''}`;
    return failure;
  }

  #createPool(): WorkerPool {
    const { mode, size, memoryLimitMb, grace } = this.options;
    const common = {
      maxWorkers: size,
      // workerpool waits this long for a cancelled run to stop, and again for a worker to exit.
      workerTerminateTimeout: Math.max(1, grace),
      emitStdStreams: true,
    };
    if (mode === 'thread') {
      return workerpool.pool(THREAD_SCRIPT, {
        ...common,
        workerType: 'thread',
        workerThreadOpts: {
          eval: true,
          workerData: { bootstrap: BOOTSTRAP.href, tsx: FROM_SOURCE ? import.meta.resolve('tsx/esm/api') : undefined },
          ...(memoryLimitMb ? { resourceLimits: { maxOldGenerationSizeMb: memoryLimitMb } } : {}),
        },
      });
    }
    return workerpool.pool(fileURLToPath(BOOTSTRAP), {
      ...common,
      workerType: 'process',
      forkOpts: {
        execArgv: [
          ...(FROM_SOURCE ? ['--import', import.meta.resolve('tsx')] : []),
          ...(memoryLimitMb ? [`--max-old-space-size=${memoryLimitMb}`] : []),
        ],
      },
    });
  }

  /** Stops every worker (running ones at once); later runs are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool) await pool.terminate(true);
  }
}

/** What lives as long as a kernel and closes with it (the kernel's resources). */
export interface ResourceScope {
  shared<T>(key: string, create: () => T, close?: (value: T) => void | Promise<void>): T;
}

export interface WorkerPoolsSettings {
  /** The owning service's address. */
  service: string;
  isolation?: IsolationOptions;
  /** How long an aborted run may take to stop before its worker is terminated (ms). */
  grace: number;
}

/**
 * One service's thread and process pools, each started on first use and closed with the kernel
 * (kept in its resources). Bound beside the service: named by the service's name, in its site.
 */
export class WorkerPools {
  constructor(
    readonly settings: WorkerPoolsSettings,
    private readonly resources: ResourceScope,
  ) {}

  get(mode: WorkerMode): IsolationPool {
    const { service, isolation, grace } = this.settings;
    return this.resources.shared(
      `remotetask.isolation ${service} ${mode}`,
      () => new IsolationPool({ mode, size: poolSize(isolation, mode), memoryLimitMb: isolation?.memoryLimitMb, grace, service }),
      (pool) => pool.close(),
    );
  }
}

/** Named bindings: a service's worker pools, by service name, in the service's site. */
export const WorkerPoolsToken: Token<WorkerPools> = Symbol.for('remotetask.WorkerPools');

/** A service as isolation finds its pools: by its name, looked up from its site. */
export interface PooledService extends TaskServiceHandle {
  readonly site: { lookup<T>(token: Token<T>, name?: string): T | undefined };
}

/** The `mode` pool of `service`, started on first use and closed with the service's kernel. */
export function isolationPoolFor(service: PooledService, mode: WorkerMode): IsolationPool {
  return workerPoolsOf(service, (token, name) => service.site.lookup(token, name)).get(mode);
}

/** The pools of the service a task runs in, through the task's lookup. */
export function workerPoolsOf(service: TaskServiceHandle, lookup: TaskContext['lookup']): WorkerPools {
  const pools = lookup(WorkerPoolsToken, service.name);
  if (!pools || pools.settings.service !== service.address) {
    throw new Error(
      `service ${service.address} belongs to no kernel: thread and process tasks run in the worker pools of a kernel made by createKernel`,
    );
  }
  return pools;
}
