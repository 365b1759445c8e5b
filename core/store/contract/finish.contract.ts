import { describe, expect, it } from 'vitest';
import type { ContractContext } from './contract-context.contract.js';
import { T0, LEASE, newJob, delayedJob, claimOptions } from './fixtures.contract.js';

/** The contract of finish. */
export function finishContract(t: ContractContext): void {
  const { mustGet, claimJob, finishOne, runningJob, runningCronJob } = t;
  describe('finish', () => {
    it('completed: the job is completed with its result, and unlocked', async () => {
      const job = await runningJob();
      await t.store.finish([{ id: job.id, workerId: 'w1', now: T0, kind: 'retry', error: 'flaky', errorStack: 'at x', runAt: T0 }]);
      await claimJob(job.id, T0 + 1);
      const done = await finishOne({ id: job.id, workerId: 'w1', now: T0 + 50, kind: 'completed', result: { out: ['ü', 1] } });
      expect(done).toMatchObject({
        status: 'completed',
        result: { out: ['ü', 1] },
        completed: T0 + 50,
        started: T0 + 1,
        attempts: 2,
        error: null,
        errorStack: null,
        lockedBy: null,
        lockedUntil: null,
      });
    });

    it('completed without a result stores null', async () => {
      const job = await runningJob();
      expect((await finishOne({ id: job.id, workerId: 'w1', now: T0, kind: 'completed', result: undefined })).result).toBeNull();
    });

    it('failed: the job is in error with the message and stack, and unlocked', async () => {
      const job = await runningJob();
      const failed = await finishOne({ id: job.id, workerId: 'w1', now: T0 + 9, kind: 'failed', error: 'An error occurred.', errorStack: 'TaskError: An error occurred.\n  at task' });
      expect(failed).toMatchObject({
        status: 'error',
        error: 'An error occurred.',
        errorStack: 'TaskError: An error occurred.\n  at task',
        completed: T0 + 9,
        result: null,
        attempts: 1,
        lockedBy: null,
        lockedUntil: null,
      });
    });

    it('retry: the job is queued again for the given time, with the error recorded', async () => {
      const job = await runningJob();
      const retried = await finishOne({ id: job.id, workerId: 'w1', now: T0 + 1, kind: 'retry', error: 'try again', errorStack: 'stack', runAt: T0 + 5_000 });
      expect(retried).toMatchObject({
        status: 'queued',
        runAt: T0 + 5_000,
        error: 'try again',
        errorStack: 'stack',
        attempts: 1,
        completed: null,
        lockedBy: null,
        lockedUntil: null,
      });
      expect(await t.store.claim(claimOptions({ now: T0 + 4_999 }))).toEqual([]);
      expect((await t.store.claim(claimOptions({ now: T0 + 5_000 }))).map((claimed) => claimed.id)).toEqual([job.id]);
    });

    it('cancelled: the job is cancelled with the error given, and unlocked', async () => {
      const first = await runningJob();
      const second = await runningJob();
      expect(await finishOne({ id: first.id, workerId: 'w1', now: T0 + 3, kind: 'cancelled', error: 'cancelled by the user' })).toMatchObject({
        status: 'cancelled',
        completed: T0 + 3,
        error: 'cancelled by the user',
        lockedBy: null,
        lockedUntil: null,
      });
      expect(await finishOne({ id: second.id, workerId: 'w1', now: T0 + 3, kind: 'cancelled', error: null })).toMatchObject({
        status: 'cancelled',
        error: null,
        lockedBy: null,
      });
    });

    it('released: the job is queued again at once, without spending the attempt', async () => {
      const job = await t.store.insert(delayedJob({ runAt: T0 - 10 }));
      await claimJob(job.id);
      const released = await finishOne({ id: job.id, workerId: 'w1', now: T0 + 2, kind: 'released' });
      expect(released).toMatchObject({ status: 'queued', runAt: 0, attempts: 0, lockedBy: null, lockedUntil: null, completed: null });
      expect((await t.store.claim(claimOptions({ now: T0 + 3, workerId: 'w2' }))).map((claimed) => [claimed.id, claimed.attempts])).toEqual([[job.id, 1]]);
    });

    it('a cron run that completed: stays cronjob with the last result, attempts reset, error cleared', async () => {
      const job = await runningCronJob();
      await t.store.finish([{ id: job.id, workerId: 'w1', now: T0 + 600_100, kind: 'failed', error: 'first run failed', errorStack: 's' }]);
      await claimJob(job.id, T0 + 660_000);
      const done = await finishOne({ id: job.id, workerId: 'w1', now: T0 + 660_500, kind: 'completed', result: 2 });
      expect(done).toMatchObject({
        status: 'cronjob',
        result: 2,
        completed: T0 + 660_500,
        attempts: 0,
        error: null,
        errorStack: null,
        lockedBy: null,
        lockedUntil: null,
        runAt: T0 + 720_000,
      });
    });

    it('a cron run that failed: stays cronjob with the error, attempts reset, the last result kept', async () => {
      const job = await runningCronJob();
      await t.store.finish([{ id: job.id, workerId: 'w1', now: T0 + 600_100, kind: 'completed', result: 'first' }]);
      await claimJob(job.id, T0 + 660_000);
      const failed = await finishOne({ id: job.id, workerId: 'w1', now: T0 + 660_100, kind: 'failed', error: 'boom', errorStack: 'at boom' });
      expect(failed).toMatchObject({
        status: 'cronjob',
        error: 'boom',
        errorStack: 'at boom',
        result: 'first',
        completed: T0 + 660_100,
        attempts: 0,
        lockedBy: null,
        lockedUntil: null,
        runAt: T0 + 720_000,
      });
    });

    it('a cron run released: unlocked and due at once, without spending the attempt', async () => {
      const job = await runningCronJob();
      const released = await finishOne({ id: job.id, workerId: 'w1', now: T0 + 600_500, kind: 'released' });
      expect(released).toMatchObject({ status: 'cronjob', attempts: 0, runAt: T0 + 600_500, lockedBy: null, lockedUntil: null });
      const again = await t.store.claim(claimOptions({ now: T0 + 600_500, workerId: 'w2' }));
      expect(again.map((claimed) => [claimed.id, claimed.attempts])).toEqual([[job.id, 1]]);
    });

    it('a cron run retried: stays cronjob, due at the retry time unless its next occurrence comes first', async () => {
      const sooner = await runningCronJob();
      const later = await runningCronJob();
      await t.store.finish([
        { id: sooner.id, workerId: 'w1', now: T0 + 600_100, kind: 'retry', error: 'again', errorStack: null, runAt: T0 + 605_000 },
        { id: later.id, workerId: 'w1', now: T0 + 600_100, kind: 'retry', error: 'again', errorStack: null, runAt: T0 + 700_000 },
      ]);
      expect(await mustGet(sooner.id)).toMatchObject({ status: 'cronjob', runAt: T0 + 605_000, error: 'again', attempts: 1, lockedBy: null });
      expect(await mustGet(later.id)).toMatchObject({ status: 'cronjob', runAt: T0 + 660_000, error: 'again', attempts: 1, lockedBy: null });
    });

    it('a cron run cancelled: the cron job is cancelled', async () => {
      const job = await runningCronJob();
      expect(await finishOne({ id: job.id, workerId: 'w1', now: T0 + 600_100, kind: 'cancelled', error: null })).toMatchObject({
        status: 'cancelled',
        completed: T0 + 600_100,
        lockedBy: null,
      });
    });

    it('applies several outcomes in one call and returns the ids applied', async () => {
      const jobs = await t.store.insertMany([newJob(), newJob(), newJob(), newJob(), newJob()]);
      await t.store.claim(claimOptions({ limit: 5 }));
      const [a, b, c, d, e] = jobs.map((job) => job.id);
      const applied = await t.store.finish([
        { id: a, workerId: 'w1', now: T0 + 1, kind: 'completed', result: 'a' },
        { id: b, workerId: 'w1', now: T0 + 1, kind: 'failed', error: 'b', errorStack: null },
        { id: c, workerId: 'w1', now: T0 + 1, kind: 'retry', error: 'c', errorStack: null, runAt: T0 + 9 },
        { id: d, workerId: 'w1', now: T0 + 1, kind: 'cancelled', error: null },
        { id: e, workerId: 'w1', now: T0 + 1, kind: 'released' },
      ]);
      expect(applied).toEqual([
        { id: a, status: 'completed' },
        { id: b, status: 'error' },
        { id: c, status: 'queued' },
        { id: d, status: 'cancelled' },
        { id: e, status: 'queued' },
      ]);
      const statuses = await Promise.all(jobs.map(async (job) => (await mustGet(job.id)).status));
      expect(statuses).toEqual(['completed', 'error', 'queued', 'cancelled', 'queued']);
      expect(await t.store.finish([])).toEqual([]);
    });

    it('ignores an outcome from a worker that does not hold the job', async () => {
      const held = await runningJob();
      const waiting = await t.store.insert(newJob({ task: 'waiting' }));
      const before = await mustGet(held.id);
      const applied = await t.store.finish([
        { id: held.id, workerId: 'intruder', now: T0 + 1, kind: 'completed', result: 'stolen' },
        { id: waiting.id, workerId: 'w1', now: T0 + 1, kind: 'completed', result: 'never ran' },
        { id: 987_654_321, workerId: 'w1', now: T0 + 1, kind: 'failed', error: 'x', errorStack: null },
      ]);
      expect(applied).toEqual([]);
      expect(await mustGet(held.id)).toEqual(before);
      expect((await mustGet(waiting.id)).status).toBe('queued');
    });

    it('ignores a second outcome for a run already finished', async () => {
      const job = await runningJob();
      const applied = await t.store.finish([
        { id: job.id, workerId: 'w1', now: T0 + 1, kind: 'completed', result: 'first' },
        { id: job.id, workerId: 'w1', now: T0 + 2, kind: 'failed', error: 'second', errorStack: null },
      ]);
      expect(applied).toEqual([{ id: job.id, status: 'completed' }]);
      expect(await t.store.finish([{ id: job.id, workerId: 'w1', now: T0 + 3, kind: 'released' }])).toEqual([]);
      expect(await mustGet(job.id)).toMatchObject({ status: 'completed', result: 'first', error: null, completed: T0 + 1 });
    });

    it('ignores the worker that lost its lease once another worker took the job over', async () => {
      const job = await runningJob();
      expect(await t.store.recoverExpired(T0 + LEASE)).toBe(1);
      await claimJob(job.id, T0 + LEASE + 1, 'w2');
      expect(await t.store.finish([{ id: job.id, workerId: 'w1', now: T0 + LEASE + 2, kind: 'completed', result: 'late' }])).toEqual([]);
      expect(await t.store.setProgress(job.id, 'w1', 0.9, 'late')).toBe(false);
      const done = await finishOne({ id: job.id, workerId: 'w2', now: T0 + LEASE + 3, kind: 'completed', result: 'w2' });
      expect(done).toMatchObject({ status: 'completed', result: 'w2', attempts: 2 });
    });

    it('still accepts the holder once its lease ran out, as long as nobody took the job over', async () => {
      const job = await runningJob();
      expect(await t.store.finish([{ id: job.id, workerId: 'w1', now: T0 + 10 * LEASE, kind: 'completed', result: 'late' }])).toEqual([
        { id: job.id, status: 'completed' },
      ]);
    });

    it('a cancel requested during the run wins over an outcome that would run the job again', async () => {
      const released = await runningJob();
      const retried = await runningJob();
      const completed = await runningJob();
      const cron = await runningCronJob();
      for (const job of [released, retried, completed, cron]) {
        expect((await t.store.cancel(job.id, T0 + 1))?.cancelRequested).toBe(true);
      }
      const applied = await t.store.finish([
        { id: released.id, workerId: 'w1', now: T0 + 2, kind: 'released' },
        { id: retried.id, workerId: 'w1', now: T0 + 2, kind: 'retry', error: 'again', errorStack: null, runAt: T0 + 3 },
        { id: completed.id, workerId: 'w1', now: T0 + 2, kind: 'completed', result: 'done anyway' },
        { id: cron.id, workerId: 'w1', now: T0 + 600_002, kind: 'completed', result: 'last run' },
      ]);
      expect(await mustGet(released.id)).toMatchObject({ status: 'cancelled', completed: T0 + 2, lockedBy: null });
      expect(await mustGet(retried.id)).toMatchObject({ status: 'cancelled', completed: T0 + 2, error: 'again' });
      expect(await mustGet(completed.id)).toMatchObject({ status: 'completed', result: 'done anyway' });
      expect(await mustGet(cron.id)).toMatchObject({ status: 'cancelled', result: 'last run', completed: T0 + 600_002 });
      // finish says what it applied: the events of a run are built from it.
      expect(applied).toEqual([
        { id: released.id, status: 'cancelled' },
        { id: retried.id, status: 'cancelled' },
        { id: completed.id, status: 'completed' },
        { id: cron.id, status: 'cancelled' },
      ]);
      expect(await t.store.claim(claimOptions({ now: T0 + 10_000_000, workerId: 'w2', limit: 10 }))).toEqual([]);
    });

    it('returns each applied outcome with the status the job was left in, one outcome at a time', async () => {
      const completed = await runningJob();
      const failed = await runningJob();
      const retried = await runningJob();
      const cron = await runningCronJob();
      const cancelledCron = await runningCronJob();
      expect((await t.store.cancel(cancelledCron.id, T0 + 600_001))?.cancelRequested).toBe(true);
      const now = T0 + 600_002;
      expect(await t.store.finish([{ id: completed.id, workerId: 'w1', now, kind: 'completed', result: 1 }])).toEqual([
        { id: completed.id, status: 'completed' },
      ]);
      expect(await t.store.finish([{ id: failed.id, workerId: 'w1', now, kind: 'failed', error: 'x', errorStack: null }])).toEqual([
        { id: failed.id, status: 'error' },
      ]);
      expect(
        await t.store.finish([{ id: retried.id, workerId: 'w1', now, kind: 'retry', error: 'x', errorStack: null, runAt: now + 5 }]),
      ).toEqual([{ id: retried.id, status: 'queued' }]);
      expect(await t.store.finish([{ id: cron.id, workerId: 'w1', now, kind: 'completed', result: 1 }])).toEqual([
        { id: cron.id, status: 'cronjob' },
      ]);
      // The cancel landed while the cron job ran: the completion leaves it cancelled, and says so.
      expect(await t.store.finish([{ id: cancelledCron.id, workerId: 'w1', now, kind: 'completed', result: 1 }])).toEqual([
        { id: cancelledCron.id, status: 'cancelled' },
      ]);
      const statuses = await Promise.all([completed, failed, retried, cron, cancelledCron].map(async (job) => (await mustGet(job.id)).status));
      expect(statuses).toEqual(['completed', 'error', 'queued', 'cronjob', 'cancelled']);
    });

    it('returns each applied outcome with the status the job was left in, for a batch of completions', async () => {
      const plain = await runningJob();
      const cron = await runningCronJob();
      const cancelledCron = await runningCronJob();
      const failedCron = await runningCronJob();
      const cancelledFailedCron = await runningCronJob();
      for (const job of [cancelledCron, cancelledFailedCron]) await t.store.cancel(job.id, T0 + 600_001);
      const now = T0 + 600_002;
      const applied = await t.store.finish([
        { id: cancelledCron.id, workerId: 'w1', now, kind: 'completed', result: 'c' },
        { id: plain.id, workerId: 'w1', now, kind: 'completed', result: 'p' },
        { id: 987_654_321, workerId: 'w1', now, kind: 'completed', result: 'unknown' },
        { id: cron.id, workerId: 'w1', now, kind: 'completed', result: 'r' },
        { id: failedCron.id, workerId: 'w1', now, kind: 'failed', error: 'x', errorStack: null },
        { id: cancelledFailedCron.id, workerId: 'w1', now, kind: 'failed', error: 'x', errorStack: null },
      ]);
      expect(applied).toEqual([
        { id: cancelledCron.id, status: 'cancelled' },
        { id: plain.id, status: 'completed' },
        { id: cron.id, status: 'cronjob' },
        { id: failedCron.id, status: 'cronjob' },
        { id: cancelledFailedCron.id, status: 'cancelled' },
      ]);
      for (const { id, status } of applied) expect((await mustGet(id)).status).toBe(status);
    });
  });
}
