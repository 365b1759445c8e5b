import { describe, expect, it } from 'vitest';
import { JOB_STATUSES, type JobStatus } from '../../jobs/job.js';
import type { ContractContext } from './contract-context.contract.js';
import { T0, SERVICE, OTHER, newJob, cronJob, delayedJob } from './fixtures.contract.js';

/** The contract of countByStatus, hasWaiting and nextRunAt. */
export function countingContract(t: ContractContext): void {
  const { runningJob, runningCronJob } = t;
  describe('countByStatus', () => {
    it('counts every status, zero-filled, for one service or all', async () => {
      const zero = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
      expect(await t.store.countByStatus()).toEqual(zero);
      expect(await t.store.countByStatus(SERVICE)).toEqual(zero);
      await t.store.insertMany([newJob(), newJob(), newJob({ status: 'start later' }), cronJob(), delayedJob()]);
      await runningJob();
      await t.store.insert(newJob({ service: OTHER }));
      expect(await t.store.countByStatus(SERVICE)).toEqual({ ...zero, queued: 2, 'start later': 1, cronjob: 1, delayed: 1, processing: 1 });
      expect(await t.store.countByStatus(OTHER)).toEqual({ ...zero, queued: 1 });
      expect(await t.store.countByStatus()).toEqual({ ...zero, queued: 3, 'start later': 1, cronjob: 1, delayed: 1, processing: 1 });
    });

    it('counts jobs as they end, one at a time or in a batch, and as clean() removes them', async () => {
      const zero = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
      const jobs = await t.store.insertMany([newJob(), newJob(), newJob(), newJob(), newJob({ service: OTHER })]);
      const claimed = [];
      for (const job of jobs.slice(0, 4)) claimed.push(await t.claimJob(job.id));
      await t.claimJob(jobs[4].id, T0, 'w1', OTHER);
      await t.store.finish([
        ...claimed.slice(0, 3).map((job) => ({ id: job.id, workerId: 'w1', now: T0 + 1, kind: 'completed' as const, result: null })),
        { id: claimed[3].id, workerId: 'w1', now: T0 + 1, kind: 'failed', error: 'boom', errorStack: null },
      ]);
      await t.finishOne({ id: jobs[4].id, workerId: 'w1', now: T0 + 1, kind: 'completed', result: 1 });
      // A cron job's run ends back in `cronjob`: not a completed job.
      const cron = await runningCronJob();
      await t.finishOne({ id: cron.id, workerId: 'w1', now: T0 + 2, kind: 'completed', result: null });
      expect(await t.store.countByStatus(SERVICE)).toEqual({ ...zero, completed: 3, error: 1, cronjob: 1 });
      expect(await t.store.countByStatus()).toEqual({ ...zero, completed: 4, error: 1, cronjob: 1 });
      expect(await t.store.clean(SERVICE, ['completed'])).toBe(3);
      expect(await t.store.countByStatus(SERVICE)).toEqual({ ...zero, error: 1, cronjob: 1 });
      expect(await t.store.countByStatus(OTHER)).toEqual({ ...zero, completed: 1 });
      const again = await t.store.insert(newJob());
      await t.claimJob(again.id);
      await t.finishOne({ id: again.id, workerId: 'w1', now: T0 + 3, kind: 'completed', result: null });
      expect((await t.store.countByStatus(SERVICE)).completed).toBe(1);
    });
  });

  describe('hasWaiting and nextRunAt', () => {
    it('see only due, unleased, waiting jobs of the service', async () => {
      expect(await t.store.hasWaiting(SERVICE, T0)).toBe(false);
      expect(await t.store.nextRunAt(SERVICE)).toBeNull();
      await t.store.insert(newJob({ status: 'start later' }));
      await t.store.insert(newJob({ service: OTHER }));
      await runningJob();
      await runningCronJob();
      expect(await t.store.hasWaiting(SERVICE, T0 + 10_000_000)).toBe(false);
      expect(await t.store.nextRunAt(SERVICE)).toBeNull();
      await t.store.insert(cronJob({ runAt: T0 + 900 }));
      await t.store.insert(delayedJob({ runAt: T0 + 500 }));
      expect(await t.store.hasWaiting(SERVICE, T0 + 499)).toBe(false);
      expect(await t.store.hasWaiting(SERVICE, T0 + 500)).toBe(true);
      expect(await t.store.nextRunAt(SERVICE)).toBe(T0 + 500);
      const queued = await t.store.insert(newJob());
      expect(await t.store.hasWaiting(SERVICE, T0)).toBe(true);
      expect(await t.store.nextRunAt(SERVICE)).toBe(0);
      await t.store.cancel(queued.id, T0);
      expect(await t.store.nextRunAt(SERVICE)).toBe(T0 + 500);
      expect(await t.store.hasWaiting(OTHER, T0)).toBe(true);
      expect(await t.store.nextRunAt(OTHER)).toBe(0);
    });
  });
}
