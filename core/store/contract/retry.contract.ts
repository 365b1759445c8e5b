import { describe, expect, it } from 'vitest';
import type { NewJob } from '../job-store.js';
import type { ContractContext } from './contract-context.contract.js';
import { T0, SERVICE, OTHER, newJob, cronJob, delayedJob, claimOptions } from './fixtures.contract.js';

/** The contract of retry and retryAll: failed and cancelled jobs go back in the queue. */
export function retryContract(t: ContractContext): void {
  const { mustGet, runningJob, finishOne } = t;

  /** A job that ran and failed for good, with its error and stack. */
  async function failedJob(overrides: Partial<NewJob> = {}) {
    const inserted = await t.store.insert(newJob(overrides));
    const job = await t.claimJob(inserted.id, T0, 'w1', inserted.service);
    return finishOne({ id: job.id, workerId: 'w1', now: T0 + 5, kind: 'failed', error: 'boom', errorStack: 'Error: boom\n    at task' });
  }

  describe('retry', () => {
    it('queues a failed job afresh and keeps its last error until it runs again', async () => {
      const failed = await failedJob();
      expect(failed).toMatchObject({ status: 'error', attempts: 1, completed: T0 + 5 });
      const wakes = t.watchWakes(SERVICE);
      const woken = wakes.next('a retry');
      const retried = await t.store.retry(failed.id);
      await woken;
      wakes.stop();
      expect(retried).toMatchObject({
        id: failed.id, status: 'queued', attempts: 0, runAt: 0, started: null, completed: null,
        error: 'boom', errorStack: 'Error: boom\n    at task', lockedBy: null, cancelRequested: false,
      });
      expect(await mustGet(failed.id)).toEqual(retried);
      const claimed = await t.store.claim(claimOptions({ now: T0 + 10 }));
      expect(claimed).toMatchObject([{ id: failed.id, status: 'processing', attempts: 1, started: T0 + 10 }]);
    });

    it('queues a cancelled job, a cancelled delayed job at once', async () => {
      const [queued, delayed] = await t.store.insertMany([newJob(), delayedJob()]);
      await t.store.cancel(queued.id, T0);
      await t.store.cancel(delayed.id, T0);
      expect(await t.store.retry(queued.id)).toMatchObject({ status: 'queued', completed: null });
      expect(await t.store.retry(delayed.id)).toMatchObject({ status: 'queued', runAt: 0, schedule: { delay: 10 } });
      const claimed = await t.store.claim(claimOptions({ limit: 5 }));
      expect(claimed.map((job) => job.id).sort((a, b) => a - b)).toEqual([queued.id, delayed.id]);
    });

    it('leaves waiting, running, completed and cron jobs as they are', async () => {
      const queued = await t.store.insert(newJob());
      const cron = await t.store.insert(cronJob());
      const cancelledCron = await t.store.insert(cronJob());
      await t.store.cancel(cancelledCron.id, T0);
      const running = await runningJob();
      const done = await runningJob();
      await t.store.finish([{ id: done.id, workerId: 'w1', now: T0 + 1, kind: 'completed', result: 'ok' }]);
      for (const job of [queued, cron, cancelledCron, running, done]) {
        const before = await mustGet(job.id);
        expect(await t.store.retry(job.id)).toEqual(before);
        expect(await mustGet(job.id)).toEqual(before);
      }
    });

    it('returns undefined for an unknown job', async () => {
      expect(await t.store.retry(987_654_321)).toBeUndefined();
    });
  });

  describe('retryAll', () => {
    it('retries the failed jobs of the service by default, of one task when asked', async () => {
      const echo = [await failedJob(), await failedJob()];
      const other = await failedJob({ task: 'other' });
      const cancelled = await t.store.insert(newJob());
      await t.store.cancel(cancelled.id, T0);
      const elsewhere = await failedJob({ service: OTHER });
      expect(await t.store.retryAll({ service: SERVICE, task: 'echo' })).toBe(2);
      for (const job of echo) expect(await mustGet(job.id)).toMatchObject({ status: 'queued', attempts: 0 });
      expect((await mustGet(other.id)).status).toBe('error');
      expect((await mustGet(cancelled.id)).status).toBe('cancelled');
      expect(await t.store.retryAll({ service: SERVICE })).toBe(1);
      expect((await mustGet(other.id)).status).toBe('queued');
      expect((await mustGet(elsewhere.id)).status).toBe('error');
      expect(await t.store.retryAll({ service: SERVICE })).toBe(0);
    });

    it('retries cancelled jobs when asked, never a cancelled cron job', async () => {
      const failed = await failedJob();
      const jobs = await t.store.insertMany([newJob(), newJob(), cronJob()]);
      for (const job of jobs) await t.store.cancel(job.id, T0);
      expect(await t.store.retryAll({ service: SERVICE, status: ['cancelled'] })).toBe(2);
      expect((await mustGet(failed.id)).status).toBe('error');
      expect((await mustGet(jobs[2].id)).status).toBe('cancelled');
      expect(await t.store.retryAll({ service: SERVICE, status: ['error', 'cancelled'] })).toBe(1);
    });

    it('retries more jobs than one batch holds', async () => {
      const jobs = await t.store.insertMany(Array.from({ length: 1_203 }, () => newJob()));
      expect(await t.store.cancelAll(SERVICE, T0)).toHaveLength(1_203);
      expect(await t.store.retryAll({ service: SERVICE, status: ['cancelled'] })).toBe(1_203);
      expect((await t.store.countByStatus(SERVICE)).queued).toBe(jobs.length);
    });
  });
}
