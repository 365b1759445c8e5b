import { describe, expect, it } from 'vitest';
import type { ContractContext } from './contract-context.contract.js';
import { T0, SERVICE, OTHER, newJob, cronJob, delayedJob, claimOptions } from './fixtures.contract.js';

/** The contract of managing jobs: start, cancel, cancelAll, reschedule, setProgress, clean. */
export function managingContract(t: ContractContext): void {
  const { mustGet, runningJob, runningCronJob } = t;
  describe('start', () => {
    it('queues a start-later job', async () => {
      const job = await t.store.insert(newJob({ status: 'start later', runAt: T0 + 5 }));
      expect(await t.store.claim(claimOptions({ now: T0 + 10 }))).toEqual([]);
      expect(await t.store.start(job.id, T0)).toBe(true);
      expect(await mustGet(job.id)).toMatchObject({ status: 'queued', runAt: 0 });
      expect((await t.store.claim(claimOptions())).map((claimed) => claimed.id)).toEqual([job.id]);
    });

    it('refuses any job that is not start later', async () => {
      const queued = await t.store.insert(newJob());
      const running = await runningJob();
      const cron = await t.store.insert(cronJob());
      expect(await t.store.start(queued.id, T0)).toBe(false);
      expect(await t.store.start(running.id, T0)).toBe(false);
      expect(await t.store.start(cron.id, T0)).toBe(false);
      expect(await t.store.start(987_654_321, T0)).toBe(false);
      expect((await mustGet(running.id)).status).toBe('processing');
      expect((await mustGet(cron.id)).status).toBe('cronjob');
    });
  });

  describe('cancel', () => {
    it('cancels a waiting job at once', async () => {
      const jobs = await t.store.insertMany([newJob(), newJob({ status: 'start later' }), delayedJob(), cronJob()]);
      for (const job of jobs) {
        expect(await t.store.cancel(job.id, T0 + 3)).toMatchObject({ id: job.id, status: 'cancelled', completed: T0 + 3, cancelRequested: false });
        expect(await mustGet(job.id)).toMatchObject({ status: 'cancelled', completed: T0 + 3 });
      }
      expect(await t.store.claim(claimOptions({ now: T0 + 10_000_000, limit: 10 }))).toEqual([]);
    });

    it('only requests the cancel of a running job', async () => {
      const running = await runningJob();
      const cron = await runningCronJob();
      expect(await t.store.cancel(running.id, T0 + 3)).toMatchObject({ status: 'processing', cancelRequested: true, completed: null, lockedBy: 'w1' });
      expect(await t.store.cancel(cron.id, T0 + 3)).toMatchObject({ status: 'cronjob', cancelRequested: true, lockedBy: 'w1' });
      expect(await mustGet(running.id)).toMatchObject({ status: 'processing', cancelRequested: true });
    });

    it('leaves a final job as it is', async () => {
      const job = await runningJob();
      await t.store.finish([{ id: job.id, workerId: 'w1', now: T0 + 1, kind: 'completed', result: 'kept' }]);
      const before = await mustGet(job.id);
      expect(await t.store.cancel(job.id, T0 + 5)).toEqual(before);
      expect(await mustGet(job.id)).toEqual(before);
    });

    it('returns undefined for an unknown job', async () => {
      expect(await t.store.cancel(987_654_321, T0)).toBeUndefined();
    });
  });

  describe('cancelAll', () => {
    it("cancels every cancellable job of the service, flags its running ones, and leaves other services alone", async () => {
      const waiting = await t.store.insertMany([newJob(), newJob({ status: 'start later' }), delayedJob(), cronJob()]);
      const running = await runningJob();
      const done = await runningJob();
      await t.store.finish([{ id: done.id, workerId: 'w1', now: T0, kind: 'completed', result: 1 }]);
      const elsewhere = await t.store.insert(newJob({ service: OTHER }));
      // Each job it touched, in id order: the waiting ones ended, the running one asked to stop.
      expect(await t.store.cancelAll(SERVICE, T0 + 7)).toEqual(
        [...waiting.map((job) => ({ id: job.id, task: job.task, cancelled: true })), { id: running.id, task: running.task, cancelled: false }],
      );
      for (const job of waiting) expect(await mustGet(job.id)).toMatchObject({ status: 'cancelled', completed: T0 + 7 });
      expect(await mustGet(running.id)).toMatchObject({ status: 'processing', cancelRequested: true });
      expect(await mustGet(done.id)).toMatchObject({ status: 'completed', completed: T0 });
      expect((await mustGet(elsewhere.id)).status).toBe('queued');
      expect(await t.store.cancelAll('nobody@Nothing', T0)).toEqual([]);
    });
  });

  describe('reschedule', () => {
    it("moves a cron job's next run and keeps its schedule unless a new one is given", async () => {
      const job = await t.store.insert(cronJob());
      expect(await t.store.reschedule(job.id, T0 + 660_000)).toMatchObject({ runAt: T0 + 660_000, schedule: { minute: [10, 13] } });
      expect(await t.store.claim(claimOptions({ now: T0 + 600_000 }))).toEqual([]);
      const changed = await t.store.reschedule(job.id, T0 + 60_000, { minute: [1] });
      expect(changed).toMatchObject({ id: job.id, status: 'cronjob', runAt: T0 + 60_000, schedule: { minute: [1] } });
      expect(await mustGet(job.id)).toEqual(changed);
      expect((await t.store.claim(claimOptions({ now: T0 + 60_000 }))).map((claimed) => claimed.id)).toEqual([job.id]);
    });

    it('returns undefined for an unknown job', async () => {
      expect(await t.store.reschedule(987_654_321, T0)).toBeUndefined();
    });
  });

  describe('setProgress', () => {
    it('records progress for the lease holder only', async () => {
      const job = await runningJob();
      const waiting = await t.store.insert(newJob());
      expect(await t.store.setProgress(job.id, 'w1', 0.25, 'a quarter')).toBe(true);
      expect(await mustGet(job.id)).toMatchObject({ progress: 0.25, progressMessage: 'a quarter' });
      expect(await t.store.setProgress(job.id, 'w1', 0.5, null)).toBe(true);
      expect(await mustGet(job.id)).toMatchObject({ progress: 0.5, progressMessage: null });
      expect(await t.store.setProgress(job.id, 'w2', 0.9, 'not mine')).toBe(false);
      expect(await t.store.setProgress(waiting.id, 'w1', 0.9, 'not running')).toBe(false);
      expect(await t.store.setProgress(987_654_321, 'w1', 0.9, null)).toBe(false);
      expect(await mustGet(job.id)).toMatchObject({ progress: 0.5, progressMessage: null });
      expect((await mustGet(waiting.id)).progress).toBeNull();
    });
  });

  describe('clean', () => {
    it('removes exactly the jobs of the service in the statuses given', async () => {
      const completed = await runningJob();
      const failed = await runningJob();
      await t.store.finish([
        { id: completed.id, workerId: 'w1', now: T0, kind: 'completed', result: 1 },
        { id: failed.id, workerId: 'w1', now: T0, kind: 'failed', error: 'x', errorStack: null },
      ]);
      const cancelled = await t.store.insert(newJob());
      await t.store.cancel(cancelled.id, T0);
      const queued = await t.store.insert(newJob());
      const otherDone = await t.store.insert(newJob({ service: OTHER }));
      await t.store.cancel(otherDone.id, T0);
      expect(await t.store.clean(SERVICE, [])).toBe(0);
      expect(await t.store.clean(SERVICE, ['completed', 'error'])).toBe(2);
      expect(await t.store.get(completed.id)).toBeUndefined();
      expect(await t.store.get(failed.id)).toBeUndefined();
      expect((await mustGet(cancelled.id)).status).toBe('cancelled');
      expect(await t.store.clean(SERVICE, ['cancelled', 'error', 'completed'])).toBe(1);
      expect((await mustGet(queued.id)).status).toBe('queued');
      expect((await mustGet(otherDone.id)).status).toBe('cancelled');
      expect(await t.store.countByStatus(SERVICE)).toMatchObject({ queued: 1, completed: 0, error: 0, cancelled: 0 });
    });
  });
}
