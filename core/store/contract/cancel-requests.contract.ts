import { describe, expect, it } from 'vitest';
import type { ContractContext } from './contract-context.contract.js';
import { T0, SERVICE, OTHER, newJob, cronJob, delayedJob, bounded } from './fixtures.contract.js';

/** The contract of cancelRequestedAmong and onCancelRequested. */
export function cancelRequestsContract(t: ContractContext): void {
  const { mustGet, claimJob, runningJob, runningCronJob } = t;
  describe('cancelRequestedAmong', () => {
    it('returns those of the given ids whose cancel was requested, in the order given', async () => {
      const flagged = await runningJob();
      const running = await runningJob();
      const flaggedCron = await runningCronJob();
      const waiting = await t.store.insert(newJob());
      const cancelledOutright = await t.store.insert(newJob());
      const flaggedThenDone = await runningJob();
      for (const job of [flagged, flaggedCron, flaggedThenDone]) await t.store.cancel(job.id, T0 + 1);
      await t.store.cancel(cancelledOutright.id, T0 + 1);
      await t.store.finish([{ id: flaggedThenDone.id, workerId: 'w1', now: T0 + 2, kind: 'completed', result: null }]);
      expect(
        await t.store.cancelRequestedAmong([
          flaggedCron.id,
          running.id,
          987_654_321,
          waiting.id,
          flagged.id,
          cancelledOutright.id,
          flaggedThenDone.id,
        ]),
      ).toEqual([flaggedCron.id, flagged.id, flaggedThenDone.id]);
      expect(await t.store.cancelRequestedAmong([running.id, waiting.id])).toEqual([]);
      expect(await t.store.cancelRequestedAmong([])).toEqual([]);
    });
  });

  describe('onCancelRequested', () => {
    type Requested = { id: number; service: string };

    function watchCancels() {
      const seen: Requested[] = [];
      let waiters: { id: number; resolve: () => void }[] = [];
      const stop = t.store.onCancelRequested((job) => {
        seen.push(job);
        const [matching, rest] = [waiters.filter((w) => w.id === job.id), waiters.filter((w) => w.id !== job.id)];
        waiters = rest;
        for (const waiter of matching) waiter.resolve();
      });
      return {
        seen,
        /** Resolves once a request for this job was heard; fails after a bounded wait. */
        heard(id: number, what: string): Promise<void> {
          if (seen.some((job) => job.id === id)) return Promise.resolve();
          return bounded(new Promise<void>((resolve) => waiters.push({ id, resolve })), `no cancel request heard for ${what}`);
        },
        stop,
      };
    }

    let cancelBarriers = 0;
    /** Requests arrive in order: once a fresh job's request was heard, every earlier one has been. */
    async function settleCancels(watcher: ReturnType<typeof watchCancels>): Promise<Requested> {
      const service = `barrier${++cancelBarriers}@Cancels`;
      const job = await t.store.insert(newJob({ service }));
      await claimJob(job.id, T0, 'w1', service);
      await t.store.cancel(job.id, T0 + 1);
      await watcher.heard(job.id, 'the barrier job');
      return { id: job.id, service };
    }

    it('tells of a cancel requested for a processing job or a leased cron job, once each', async () => {
      const cancels = watchCancels();
      const running = await runningJob();
      const cron = await claimJob((await t.store.insert(cronJob({ service: OTHER }))).id, T0 + 600_000, 'w1', OTHER);
      expect((await t.store.cancel(running.id, T0 + 1))?.cancelRequested).toBe(true);
      await cancels.heard(running.id, 'a processing job');
      expect((await t.store.cancel(cron.id, T0 + 1))?.cancelRequested).toBe(true);
      await cancels.heard(cron.id, 'a leased cron job');
      // Asked again: the request is already recorded, nobody is told twice.
      await t.store.cancel(running.id, T0 + 2);
      await t.store.cancel(cron.id, T0 + 2);
      const barrier = await settleCancels(cancels);
      expect(cancels.seen).toEqual([
        { id: running.id, service: SERVICE },
        { id: cron.id, service: OTHER },
        barrier,
      ]);
      cancels.stop();
    });

    it('is silent for waiting jobs cancelled outright, final jobs and unknown jobs', async () => {
      const cancels = watchCancels();
      const waiting = await t.store.insertMany([newJob(), newJob({ status: 'start later' }), delayedJob(), cronJob()]);
      const done = await runningJob();
      await t.store.finish([{ id: done.id, workerId: 'w1', now: T0, kind: 'completed', result: null }]);
      for (const job of waiting) expect((await t.store.cancel(job.id, T0 + 1))?.status).toBe('cancelled');
      await t.store.cancel(done.id, T0 + 1);
      expect(await t.store.cancel(987_654_321, T0 + 1)).toBeUndefined();
      // A job flagged while it ran and finished since: final, nothing to tell.
      const flagged = await runningJob();
      await t.store.cancel(flagged.id, T0 + 1);
      await cancels.heard(flagged.id, 'a processing job');
      await t.store.finish([{ id: flagged.id, workerId: 'w1', now: T0 + 2, kind: 'cancelled', error: null }]);
      await t.store.cancel(flagged.id, T0 + 3);
      const barrier = await settleCancels(cancels);
      expect(cancels.seen).toEqual([{ id: flagged.id, service: SERVICE }, barrier]);
      cancels.stop();
    });

    it('cancelAll tells of each running job of that service it newly flagged, and of no other', async () => {
      const cancels = watchCancels();
      const first = await runningJob();
      const second = await runningJob();
      const cron = await runningCronJob();
      const alreadyFlagged = await runningJob();
      await t.store.cancel(alreadyFlagged.id, T0 + 1);
      await cancels.heard(alreadyFlagged.id, 'a processing job');
      await t.store.insertMany([newJob(), cronJob(), delayedJob()]);
      const elsewhere = await t.store.insert(newJob({ service: OTHER }));
      await claimJob(elsewhere.id, T0, 'w1', OTHER);

      expect(await t.store.cancelAll(SERVICE, T0 + 2)).toHaveLength(7);
      await Promise.all([first, second, cron].map((job) => cancels.heard(job.id, `job ${job.id} under cancelAll`)));
      const barrier = await settleCancels(cancels);
      const heard = cancels.seen.slice(1, -1).sort((a, b) => a.id - b.id);
      expect(heard).toEqual([first, second, cron].map((job) => ({ id: job.id, service: SERVICE })));
      expect(cancels.seen[cancels.seen.length - 1]).toEqual(barrier);
      expect((await mustGet(elsewhere.id)).cancelRequested).toBe(false);
      // Once flagged, a second cancelAll has nobody new to tell.
      await t.store.cancelAll(SERVICE, T0 + 3);
      const secondBarrier = await settleCancels(cancels);
      expect(cancels.seen).toHaveLength(6);
      expect(cancels.seen[5]).toEqual(secondBarrier);
      cancels.stop();
    });

    it('stops telling a listener once unsubscribed', async () => {
      const gone = watchCancels();
      const staying = watchCancels();
      gone.stop();
      const job = await runningJob();
      await t.store.cancel(job.id, T0 + 1);
      await staying.heard(job.id, 'a processing job');
      await settleCancels(staying);
      expect(gone.seen).toEqual([]);
      expect(staying.seen).toHaveLength(2);
      staying.stop();
    });
  });
}
