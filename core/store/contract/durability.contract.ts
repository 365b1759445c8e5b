import { describe, expect, it } from 'vitest';
import type { JobStore } from '../job-store.js';
import type { ContractContext } from './contract-context.contract.js';
import { T0, OTHER, newJob, cronJob, delayedJob, claimOptions } from './fixtures.contract.js';

/** The contract of durability: what a durable store keeps across close and reopen. */
export function durabilityContract(t: ContractContext, reopen: (store: JobStore) => Promise<JobStore>): void {
  const { mustGet, claimJob } = t;
  describe('durability', () => {
    it('keeps every job and field across close and reopen', async () => {
      const jobs = await t.store.insertMany([
        newJob({ input: { text: 'Grüße 🎉', nested: { list: [1, { deep: true }] } } }),
        newJob({ status: 'start later', service: OTHER }),
        delayedJob(),
        cronJob({ schedule: { cron: '0 * * * *', tz: 'Europe/Berlin' } }),
        newJob({ task: 'fails', timeout: 45_000 }),
        newJob({ task: 'retries' }),
      ]);
      const [done, , , cron, failed, retried] = jobs;
      await t.store.claim(claimOptions({ limit: 3 }));
      await claimJob(cron.id, T0 + 600_000);
      await t.store.setProgress(done.id, 'w1', 0.75, 'almost');
      await t.store.cancel(jobs[2].id, T0 + 2);
      await t.store.finish([
        { id: done.id, workerId: 'w1', now: T0 + 10, kind: 'completed', result: { frames: 3, names: ['ä'] } },
        { id: failed.id, workerId: 'w1', now: T0 + 11, kind: 'failed', error: 'An error occurred.', errorStack: 'at line 1' },
        { id: retried.id, workerId: 'w1', now: T0 + 12, kind: 'retry', error: 'again', errorStack: null, runAt: T0 + 500 },
        { id: cron.id, workerId: 'w1', now: T0 + 600_010, kind: 'completed', result: 1 },
      ]);
      const before = await Promise.all(jobs.map((job) => mustGet(job.id)));
      t.store = await reopen(t.store);
      const after = await Promise.all(jobs.map((job) => t.store.get(job.id)));
      expect(after).toEqual(before);
      const next = await t.store.insert(newJob());
      expect(next.id).toBeGreaterThan(jobs[jobs.length - 1].id);
    });
  });
}
