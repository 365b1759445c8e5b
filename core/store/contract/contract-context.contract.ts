import { expect } from 'vitest';
import type { JobRecord } from '../../jobs/job.js';
import type { JobOutcome, JobStore, NewJob } from '../job-store.js';
import { SERVICE, T0, bounded, claimOptions, cronJob, newJob } from './fixtures.contract.js';

/** What every part of the contract suite works with: the store under test, and steps on it. */
export interface ContractContext {
  /** The store of the running test, made afresh for each test. */
  store: JobStore;
  mustGet(id: number): Promise<JobRecord>;
  /** Claims exactly this job (it must be due) and returns its record. */
  claimJob(id: number, now?: number, workerId?: string, service?: string): Promise<JobRecord>;
  /** Applies one outcome, which must be applied with the status the job is then found in. */
  finishOne(outcome: JobOutcome): Promise<JobRecord>;
  /** A running job: inserted, then claimed by w1 at T0. */
  runningJob(overrides?: Partial<NewJob>): Promise<JobRecord>;
  /** A cron job due at T0 + 10 min, claimed by w1 then; its runAt is now T0 + 11 min. */
  runningCronJob(overrides?: Partial<NewJob>): Promise<JobRecord>;
  watchWakes(service: string): WakeWatch;
  /** Wake-ups arrive in order: once a fresh service's wake-up arrived, every earlier one has too. */
  settleWakes(): Promise<void>;
}

export interface WakeWatch {
  readonly calls: number;
  /** Call before the action: resolves at the next wake-up, fails after a bounded wait. */
  next(what: string): Promise<void>;
  stop(): void;
}

/** A context whose steps act on whatever store `store` holds when they run. */
export function makeContractContext(): ContractContext {
  let barriers = 0;
  const t: ContractContext = {
    store: undefined as unknown as JobStore,

    async mustGet(id) {
      const job = await t.store.get(id);
      if (!job) throw new Error(`job ${id} is missing`);
      return job;
    },

    async claimJob(id, now = T0, workerId = 'w1', service = SERVICE) {
      const claimed = await t.store.claim(claimOptions({ jobId: id, now, workerId, service }));
      expect(claimed.map((job) => job.id)).toEqual([id]);
      return claimed[0];
    },

    async finishOne(outcome) {
      const applied = await t.store.finish([outcome]);
      const job = await t.mustGet(outcome.id);
      expect(applied).toEqual([{ id: outcome.id, status: job.status }]);
      return job;
    },

    async runningJob(overrides = {}) {
      const job = await t.store.insert(newJob(overrides));
      return t.claimJob(job.id);
    },

    async runningCronJob(overrides = {}) {
      const job = await t.store.insert(cronJob(overrides));
      return t.claimJob(job.id, T0 + 600_000);
    },

    watchWakes(service) {
      let calls = 0;
      let waiters: (() => void)[] = [];
      const stop = t.store.onWake(service, () => {
        calls += 1;
        const woken = waiters;
        waiters = [];
        for (const wake of woken) wake();
      });
      return {
        get calls() {
          return calls;
        },
        next(what: string): Promise<void> {
          return bounded(new Promise<void>((resolve) => waiters.push(resolve)), `${service} was not woken after ${what}`);
        },
        stop,
      };
    },

    async settleWakes() {
      const barrier = `barrier${++barriers}@Wakes`;
      const wakes = t.watchWakes(barrier);
      const woken = wakes.next('the barrier insert');
      await t.store.insert(newJob({ service: barrier }));
      await woken;
      wakes.stop();
    },
  };
  return t;
}
