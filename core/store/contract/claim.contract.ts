import { describe, expect, it } from 'vitest';
import type { Schedule } from '../../jobs/job.js';
import type { ContractContext } from './contract-context.contract.js';
import { T0, SERVICE, OTHER, LEASE, newJob, cronJob, delayedJob, claimOptions } from './fixtures.contract.js';

/** The contract of claim. */
export function claimContract(t: ContractContext): void {
  const { mustGet, runningJob, runningCronJob } = t;
  describe('claim', () => {
    it('takes only due jobs of the service', async () => {
      const due = await t.store.insert(newJob());
      await t.store.insert(newJob({ service: OTHER }));
      await t.store.insert(delayedJob({ runAt: T0 + 1 }));
      await t.store.insert(cronJob({ runAt: T0 + 1 }));
      await t.store.insert(newJob({ status: 'start later' }));
      const claimed = await t.store.claim(claimOptions({ limit: 10 }));
      expect(claimed.map((job) => job.id)).toEqual([due.id]);
    });

    it('takes jobs in runAt order, then by id', async () => {
      const first = await t.store.insert(delayedJob({ runAt: T0 - 100 }));
      const second = await t.store.insert(newJob({ runAt: 0 }));
      const third = await t.store.insert(delayedJob({ runAt: T0 - 100 }));
      const fourth = await t.store.insert(cronJob({ runAt: T0 - 200 }));
      const fifth = await t.store.insert(newJob({ runAt: T0 }));
      const claimed = await t.store.claim(claimOptions({ limit: 10 }));
      expect(claimed.map((job) => job.id)).toEqual([second.id, fourth.id, first.id, third.id, fifth.id]);
    });

    it('with a limit, takes the earliest due jobs, not the oldest ids', async () => {
      const [late, early, middle] = await t.store.insertMany([
        delayedJob({ runAt: T0 - 10 }),
        delayedJob({ runAt: T0 - 30 }),
        delayedJob({ runAt: T0 - 20 }),
      ]);
      expect((await t.store.claim(claimOptions({ limit: 2 }))).map((job) => job.id)).toEqual([early.id, middle.id]);
      expect((await t.store.claim(claimOptions({ limit: 2 }))).map((job) => job.id)).toEqual([late.id]);
    });

    it('takes at most limit jobs, one by default', async () => {
      const ids = (await t.store.insertMany([newJob(), newJob(), newJob(), newJob(), newJob()])).map((job) => job.id);
      expect((await t.store.claim(claimOptions({ limit: 2 }))).map((job) => job.id)).toEqual(ids.slice(0, 2));
      expect((await t.store.claim(claimOptions())).map((job) => job.id)).toEqual(ids.slice(2, 3));
      expect((await t.store.claim(claimOptions({ limit: 5 }))).map((job) => job.id)).toEqual(ids.slice(3));
      expect(await t.store.claim(claimOptions({ limit: 5 }))).toEqual([]);
    });

    it('with jobId takes just that job, and only when it is due, waiting and of the service', async () => {
      const [older, wanted] = await t.store.insertMany([newJob(), newJob()]);
      const later = await t.store.insert(delayedJob({ runAt: T0 + 5_000 }));
      const elsewhere = await t.store.insert(newJob({ service: OTHER }));
      expect(await t.store.claim(claimOptions({ jobId: later.id, limit: 10 }))).toEqual([]);
      expect(await t.store.claim(claimOptions({ jobId: elsewhere.id }))).toEqual([]);
      expect(await t.store.claim(claimOptions({ jobId: 987_654_321 }))).toEqual([]);
      expect((await t.store.claim(claimOptions({ jobId: wanted.id, limit: 10 }))).map((job) => job.id)).toEqual([wanted.id]);
      expect(await t.store.claim(claimOptions({ jobId: wanted.id }))).toEqual([]);
      expect((await mustGet(older.id)).status).toBe('queued');
      expect((await t.store.claim(claimOptions({ jobId: later.id, now: T0 + 5_000 }))).map((job) => job.id)).toEqual([later.id]);
    });

    it('leases a queued or delayed job as processing', async () => {
      const queued = await t.store.insert(newJob());
      const delayed = await t.store.insert(delayedJob({ runAt: T0 - 1 }));
      const claimed = await t.store.claim(claimOptions({ now: T0 + 5, workerId: 'worker-7', leaseMs: 1_234, limit: 2 }));
      expect(claimed.map((job) => job.id)).toEqual([queued.id, delayed.id]);
      for (const job of claimed) {
        expect(job).toMatchObject({
          status: 'processing',
          started: T0 + 5,
          attempts: 1,
          lockedBy: 'worker-7',
          lockedUntil: T0 + 5 + 1_234,
          completed: null,
        });
        expect(await t.store.get(job.id)).toEqual(job);
      }
      expect(claimed[1].runAt).toBe(T0 - 1);
    });

    it('leases a cron job, which stays cronjob and moves to its next occurrence', async () => {
      const schedule = { minute: [10, 13] };
      const job = await t.store.insert(cronJob({ schedule, runAt: T0 + 600_000 }));
      const seen: [Schedule, number][] = [];
      const claimed = await t.store.claim(
        claimOptions({
          now: T0 + 600_003,
          nextRunAt: (given, now) => {
            seen.push([given, now]);
            return now + 180_000;
          },
        }),
      );
      expect(seen).toEqual([[schedule, T0 + 600_003]]);
      expect(claimed).toHaveLength(1);
      expect(claimed[0]).toMatchObject({
        id: job.id,
        status: 'cronjob',
        attempts: 1,
        started: T0 + 600_003,
        lockedBy: 'w1',
        lockedUntil: T0 + 600_003 + LEASE,
        runAt: T0 + 780_003,
      });
      expect(await t.store.get(job.id)).toEqual(claimed[0]);
    });

    it('claims one cron occurrence once: a leased cron job is not claimable even when due again', async () => {
      const job = await runningCronJob();
      expect(job.runAt).toBe(T0 + 660_000);
      expect(await t.store.claim(claimOptions({ now: T0 + 600_000, workerId: 'w2', limit: 10 }))).toEqual([]);
      expect(await t.store.claim(claimOptions({ now: T0 + 660_000, workerId: 'w2', limit: 10 }))).toEqual([]);
      await t.store.finish([{ id: job.id, workerId: 'w1', now: T0 + 601_000, kind: 'completed', result: 1 }]);
      expect(await t.store.claim(claimOptions({ now: T0 + 659_999, workerId: 'w2' }))).toEqual([]);
      const again = await t.store.claim(claimOptions({ now: T0 + 660_000, workerId: 'w2' }));
      expect(again.map((claimed) => [claimed.id, claimed.attempts, claimed.runAt])).toEqual([[job.id, 1, T0 + 720_000]]);
    });

    it('parks a cron job with no next occurrence where it is never due', async () => {
      const job = await t.store.insert(cronJob({ runAt: T0 }));
      const [claimed] = await t.store.claim(claimOptions({ nextRunAt: () => null }));
      expect(claimed.runAt).toBe(Number.MAX_SAFE_INTEGER);
      await t.store.finish([{ id: job.id, workerId: 'w1', now: T0 + 1, kind: 'completed', result: null }]);
      expect(await t.store.claim(claimOptions({ now: Number.MAX_SAFE_INTEGER - 1, limit: 10 }))).toEqual([]);
      expect(await t.store.hasWaiting(SERVICE, Number.MAX_SAFE_INTEGER - 1)).toBe(false);
    });

    it('never takes a start-later, final or leased job', async () => {
      await t.store.insert(newJob({ status: 'start later' }));
      const completed = await runningJob();
      const failed = await runningJob();
      const cancelled = await t.store.insert(newJob());
      const running = await runningJob();
      await t.store.finish([
        { id: completed.id, workerId: 'w1', now: T0, kind: 'completed', result: 1 },
        { id: failed.id, workerId: 'w1', now: T0, kind: 'failed', error: 'boom', errorStack: null },
      ]);
      await t.store.cancel(cancelled.id, T0);
      expect((await mustGet(running.id)).status).toBe('processing');
      expect(await t.store.claim(claimOptions({ now: T0 + 10 * LEASE, workerId: 'w2', limit: 100 }))).toEqual([]);
    });

    it('does not take back an expired lease: only recoverExpired does', async () => {
      const job = await runningJob();
      const cron = await runningCronJob();
      const late = T0 + 10_000_000;
      expect(await t.store.claim(claimOptions({ now: late, workerId: 'w2', limit: 10 }))).toEqual([]);
      expect(await t.store.recoverExpired(late)).toBe(2);
      const claimed = await t.store.claim(claimOptions({ now: late, workerId: 'w2', limit: 10 }));
      expect(claimed.map((claimedJob) => claimedJob.id).sort((a, b) => a - b)).toEqual([job.id, cron.id]);
    });

    it('counts an attempt on every claim', async () => {
      const job = await runningJob();
      expect(job.attempts).toBe(1);
      await t.store.finish([{ id: job.id, workerId: 'w1', now: T0, kind: 'retry', error: 'again', errorStack: null, runAt: T0 + 1 }]);
      const [second] = await t.store.claim(claimOptions({ now: T0 + 1 }));
      expect(second.attempts).toBe(2);
    });

    it('clears the progress of an earlier run', async () => {
      const job = await runningJob();
      await t.store.setProgress(job.id, 'w1', 0.5, 'half way');
      await t.store.finish([{ id: job.id, workerId: 'w1', now: T0, kind: 'released' }]);
      const [again] = await t.store.claim(claimOptions({ now: T0 + 1 }));
      expect([again.progress, again.progressMessage]).toEqual([null, null]);
    });

    it('claims nothing when a cron schedule throws', async () => {
      const queued = await t.store.insert(newJob());
      const cron = await t.store.insert(cronJob({ runAt: T0 }));
      await expect(
        t.store.claim(
          claimOptions({
            limit: 10,
            nextRunAt: () => {
              throw new Error('bad schedule');
            },
          }),
        ),
      ).rejects.toThrow('bad schedule');
      expect((await mustGet(queued.id)).status).toBe('queued');
      expect((await mustGet(cron.id)).lockedBy).toBeNull();
      expect((await t.store.claim(claimOptions({ limit: 10 }))).map((job) => job.id)).toEqual([queued.id, cron.id]);
    });

    it('never hands the same job to two concurrent claims', async () => {
      const jobs = await t.store.insertMany(Array.from({ length: 30 }, () => newJob()));
      const batches = await Promise.all(
        Array.from({ length: 6 }, (_, index) => t.store.claim(claimOptions({ workerId: `w${index}`, limit: 8 }))),
      );
      const ids = batches.flat().map((job) => job.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.sort((a, b) => a - b)).toEqual(jobs.map((job) => job.id));
      for (const [index, batch] of batches.entries()) {
        for (const job of batch) expect((await mustGet(job.id)).lockedBy).toBe(`w${index}`);
      }
    });
  });
}
