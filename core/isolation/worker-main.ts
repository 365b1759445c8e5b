/**
 * The bootstrap of an isolation worker (a worker thread or a child process of a service's pool):
 * it loads task modules and runs their default export for one job at a time, reporting progress
 * and log lines as events. It imports nothing of the kernel, so a worker starts light.
 */
import { format } from 'node:util';
import { isMainThread } from 'node:worker_threads';
import workerpool from 'workerpool';
import { TaskError } from '../tasks/task-error.js';
import {
  boundaryName,
  serializeError,
  whyCannotCross,
  type LogLevel,
  type RunReply,
  type RunRequest,
  type WorkerEvent,
  type WorkerMode,
} from './protocol.js';
import { loadTsx } from '../loader/load-tsx.js';
import { taskModuleLogger, type IsolatedTaskContext, type IsolatedTaskFunction } from './task-module.js';

const mode: WorkerMode = isMainThread ? 'process' : 'thread';

/** From source, this file itself came through tsx: TypeScript task modules load as they are. */
let typescriptReady = /\.[cm]?ts$/.test(new URL(import.meta.url).pathname);

interface CurrentRun {
  controller: AbortController;
  /** Settles (never rejects) once the task function has returned or thrown. */
  settled: Promise<unknown>;
}

/** The run in progress; a worker runs one job at a time. */
let current: CurrentRun | undefined;

async function loadTaskFunction(request: RunRequest): Promise<IsolatedTaskFunction> {
  if (!typescriptReady && /\.[cm]?tsx?$/.test(new URL(request.module).pathname)) {
    const { register } = await loadTsx(`the module of task "${request.task}" (${request.module})`);
    register();
    typescriptReady = true;
  }
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(request.module)) as Record<string, unknown>;
  } catch (error) {
    const wrapped = new Error(`task "${request.task}" could not load its module ${request.module}: ${(error as Error).message}`);
    wrapped.stack = `${wrapped.name}: ${wrapped.message}\n${(error as Error).stack ?? ''}`;
    throw wrapped;
  }
  if (typeof loaded.default !== 'function') {
    throw new TaskError(
      `the module of task "${request.task}" (${request.module}) must default-export a function (input, context) => result; its default export is ${typeof loaded.default}`,
    );
  }
  return loaded.default as IsolatedTaskFunction;
}

function emit(run: CurrentRun, event: WorkerEvent): void {
  // A timer the task left behind must not report into the next job.
  if (current === run) workerpool.workerEmit(event);
}

/** Called by workerpool when the main side cancels the run: abort it and wait until it stops. */
let abortListenerRegistered = false;
async function onAbort(): Promise<void> {
  // workerpool forgets its abort listeners once they have run: the next run registers again.
  abortListenerRegistered = false;
  const run = current;
  if (!run) return;
  run.controller.abort(new Error('the job was aborted (cancelled, timed out or its service is stopping)'));
  await run.settled;
}

interface WorkerMethodThis {
  worker: { addAbortListener(listener: () => Promise<void>): void };
}

async function runTask(this: WorkerMethodThis, request: RunRequest): Promise<RunReply> {
  if (!abortListenerRegistered) {
    this.worker.addAbortListener(onAbort);
    abortListenerRegistered = true;
  }
  const controller = new AbortController();
  let finished!: () => void;
  const run: CurrentRun = { controller, settled: new Promise<void>((resolve) => (finished = resolve)) };
  current = run;
  try {
    const fn = await loadTaskFunction(request);
    const context: IsolatedTaskContext = {
      task: request.task,
      jobId: request.jobId,
      attempt: request.attempt,
      runIn: mode,
      signal: controller.signal,
      progress: async (fraction, message) => emit(run, { type: 'progress', fraction, ...(message === undefined ? {} : { message }) }),
      logger: taskModuleLogger((level, message) => emit(run, { type: 'log', level, message })),
    };
    const value = await fn(request.input, context);
    const why = whyCannotCross(value, mode, 'result');
    if (why !== undefined) {
      throw new TaskError(`the result of task "${request.task}" cannot cross to ${boundaryName(mode, 'main')}: ${why}`);
    }
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: serializeError(error, TaskError.is) };
  } finally {
    finished();
    if (current === run) current = undefined;
  }
}

// console.* of a running task goes to the job's log through the same channel as its result, so
// no line is lost or arrives after the job ended; between jobs it goes to the worker's own stdio.
const consoleLevels = { log: 'info', info: 'info', warn: 'warn', error: 'error', debug: 'debug' } as const;
for (const [method, level] of Object.entries(consoleLevels) as Array<[keyof typeof consoleLevels, LogLevel]>) {
  const own = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    if (current) workerpool.workerEmit({ type: 'log', level, message: format(...args) } satisfies WorkerEvent);
    else own(...args);
  };
}

if (mode === 'process') {
  // A thread's uncaught exception reaches the pool as the worker's `error` event, with the error.
  // A process would only print it: report it first, then die with it, as Node would.
  process.on('uncaughtException', (error) => {
    const report: WorkerEvent = {
      type: 'crash',
      message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
    };
    if (current) workerpool.workerEmit(report);
    if (process.connected && process.send) process.send({}, () => process.exit(1));
    else process.exit(1);
  });
}

workerpool.worker({ run: runTask }, { abortListenerTimeout: 24 * 60 * 60 * 1000 });
