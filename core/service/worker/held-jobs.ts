import type { JobRecord } from '../../jobs/job.js';

/** Why a held job's run was stopped (or will not start). */
export type AbortReason = 'cancelled' | 'timeout' | 'stopping' | 'lease lost';

/** Where a held job is: claimed and waiting for a slot, its task running, or its outcome being written. */
export type HeldPhase = 'waiting' | 'running' | 'recording';

/** A job this worker holds the lease of, from its claim until its outcome is stored. */
export class HeldJob {
  phase: HeldPhase = 'waiting';
  /** Set once: the first reason to stop wins (a lost lease also overrides a waiting job's cancel). */
  reason?: AbortReason;
  /** Made when the task first reads its signal, or when the job is aborted: most never need one. */
  controller?: AbortController;
  /** Starts the abort grace period of a task that is still running. */
  onAbort?: () => void;

  constructor(readonly job: JobRecord) {}
}

/**
 * The jobs one service's worker holds: the one list that the processor's prefetch, the runner,
 * the outcome writer and the lease keeper share. Waiting jobs keep their claim order for the
 * processor. The list says when it becomes busy (first job) and idle (last job gone), so that
 * lease renewal and cancel delivery run only while there is something to renew or cancel.
 */
export class HeldJobs {
  readonly #jobs = new Map<number, HeldJob>();
  /** Waiting jobs, oldest first (from `#head` on). */
  #waiting: HeldJob[] = [];
  #head = 0;

  constructor(private readonly onBusyChange: (busy: boolean) => void) {}

  get size(): number {
    return this.#jobs.size;
  }

  /** How many claimed jobs wait for a slot. */
  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  get(id: number): HeldJob | undefined {
    return this.#jobs.get(id);
  }

  entries(): IterableIterator<HeldJob> {
    return this.#jobs.values();
  }

  /** Takes a claimed job in; `queue`: it waits for `next()` (a processor's prefetch), else the caller runs it. */
  hold(job: JobRecord, queue: boolean): HeldJob {
    const held = new HeldJob(job);
    this.#jobs.set(job.id, held);
    if (queue) this.#waiting.push(held);
    if (this.#jobs.size === 1) this.onBusyChange(true);
    return held;
  }

  /** The oldest waiting job, taken off the queue (it stays held until `drop`). */
  next(): HeldJob | undefined {
    if (this.#head >= this.#waiting.length) return undefined;
    const held = this.#waiting[this.#head++];
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    } else if (this.#head > 1024) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
    return held;
  }

  /** Every waiting job, taken off the queue (a processor stopping hands them back). */
  takeWaiting(): HeldJob[] {
    const taken = this.#waiting.slice(this.#head);
    this.#waiting = [];
    this.#head = 0;
    return taken;
  }

  /** The job is no longer this worker's (its outcome stored, its lease lost, or it was handed back). */
  drop(held: HeldJob): void {
    if (this.#jobs.get(held.job.id) !== held) return;
    this.#jobs.delete(held.job.id);
    if (this.#jobs.size === 0) this.onBusyChange(false);
  }

  /**
   * Stops a held job: a running task's signal aborts; a waiting job will not run (cancelled: it
   * ends `cancelled`; lease lost: it is left to the worker that has it now). Returns false when
   * the job is not held here, or its task already ended.
   */
  abort(id: number, reason: AbortReason): boolean {
    const held = this.#jobs.get(id);
    if (!held || held.phase === 'recording') return false;
    if (held.phase === 'waiting') {
      if (reason === 'lease lost' || (reason === 'cancelled' && !held.reason)) held.reason = reason;
      return true;
    }
    if (!held.reason) {
      held.reason = reason;
      held.controller ??= new AbortController();
      held.controller.abort(new Error(`job ${id} aborted: ${reason}`));
      held.onAbort?.();
    }
    return true;
  }

  /** Aborts every running job (a processor stopping after its `stopTimeout`). */
  abortRunning(reason: AbortReason): void {
    for (const held of this.#jobs.values()) if (held.phase === 'running') this.abort(held.job.id, reason);
  }
}
