import { availableParallelism } from 'node:os';

/** A service's worker pools for its `thread` and `process` tasks (the service option `isolation`). */
export interface IsolationOptions {
  /** Worker threads for `thread` tasks; default: one per core (`os.availableParallelism()`). */
  threads?: number;
  /** Child processes for `process` tasks; default: one per core. */
  processes?: number;
  /**
   * The JavaScript heap limit of each worker (MB): a thread's `resourceLimits`, a process's
   * `--max-old-space-size`. A task going past it fails its job; the worker is replaced. Default:
   * Node's own limit.
   */
  memoryLimitMb?: number;
}

/** The pool size for `mode` under `options`. */
export function poolSize(options: IsolationOptions | undefined, mode: 'thread' | 'process'): number {
  const configured = mode === 'thread' ? options?.threads : options?.processes;
  return configured ?? availableParallelism();
}
