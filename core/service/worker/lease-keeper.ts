import type { Logger } from 'winston';
import type { JobStore } from '../../store/job-store.js';
import type { HeldJobs } from './held-jobs.js';

export interface LeaseKeeperDeps {
  store: JobStore;
  workerId: string;
  logger: Logger;
  clock: () => number;
  leaseMs: number;
  held: HeldJobs;
  /** Where a cancel request found by the renewal goes: the same route as a notified one. */
  cancelRequested: (id: number) => void;
}

/**
 * Keeps the leases of every held job alive with one timer and one batched renewal (a third of
 * the lease apart). A job whose lease was found lost is aborted (it must not run, or go on
 * running, here); a job whose cancel request was missed (a notification lost while the store
 * was unreachable) is cancelled through the worker's one cancel route.
 */
export class LeaseKeeper {
  #timer?: NodeJS.Timeout;

  constructor(private readonly deps: LeaseKeeperDeps) {}

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.renew(), Math.max(10, Math.floor(this.deps.leaseMs / 3)));
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async renew(): Promise<void> {
    const { store, workerId, clock, leaseMs, held: heldJobs, logger } = this.deps;
    const ids: number[] = [];
    for (const held of heldJobs.entries()) if (held.reason !== 'lease lost') ids.push(held.job.id);
    if (ids.length === 0) return;
    try {
      const renewed = new Set(await store.renewLeases(ids, workerId, clock() + leaseMs));
      for (const id of ids) {
        // An outcome being written needs no lease: the store applies it or says it was taken over.
        if (!renewed.has(id)) heldJobs.abort(id, 'lease lost');
      }
      for (const id of await store.cancelRequestedAmong([...renewed])) this.deps.cancelRequested(id);
    } catch (error) {
      logger.warn(`renewing leases failed: ${(error as Error).message}`);
    }
  }
}
