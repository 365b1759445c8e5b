import { describe, expect, it } from 'vitest';
import type { ContractContext } from './contract-context.contract.js';
import { T0, SERVICE, OTHER, LEASE, newJob, cronJob, delayedJob } from './fixtures.contract.js';

/** The contract of onWake. */
export function wakeUpsContract(t: ContractContext): void {
  const { runningJob, watchWakes, settleWakes } = t;
  describe('onWake', () => {
    it('wakes the service when a waiting job is inserted', async () => {
      for (const job of [newJob(), delayedJob(), cronJob()]) {
        const wakes = watchWakes(SERVICE);
        const woken = wakes.next(`an insert of a ${job.status} job`);
        await t.store.insert(job);
        await woken;
        wakes.stop();
      }
      const wakes = watchWakes(SERVICE);
      const woken = wakes.next('insertMany');
      await t.store.insertMany([newJob(), newJob()]);
      await woken;
      wakes.stop();
    });

    it('wakes the service when a job is started or rescheduled', async () => {
      const later = await t.store.insert(newJob({ status: 'start later' }));
      const cron = await t.store.insert(cronJob());
      await settleWakes();
      const wakes = watchWakes(SERVICE);
      let woken = wakes.next('start');
      await t.store.start(later.id, T0);
      await woken;
      woken = wakes.next('reschedule');
      await t.store.reschedule(cron.id, T0 + 1);
      await woken;
    });

    it('wakes the service when a run is retried or released', async () => {
      const retried = await runningJob();
      const released = await runningJob();
      await settleWakes();
      const wakes = watchWakes(SERVICE);
      let woken = wakes.next('a retry outcome');
      await t.store.finish([{ id: retried.id, workerId: 'w1', now: T0, kind: 'retry', error: 'e', errorStack: null, runAt: T0 + 100 }]);
      await woken;
      woken = wakes.next('a release outcome');
      await t.store.finish([{ id: released.id, workerId: 'w1', now: T0, kind: 'released' }]);
      await woken;
    });

    it('wakes the service when recoverExpired queued a job again', async () => {
      await runningJob();
      await settleWakes();
      const wakes = watchWakes(SERVICE);
      const woken = wakes.next('recoverExpired');
      expect(await t.store.recoverExpired(T0 + LEASE)).toBe(1);
      await woken;
    });

    it('does not wake another service', async () => {
      const other = watchWakes(OTHER);
      const mine = watchWakes(SERVICE);
      const woken = mine.next('an insert');
      await t.store.insert(newJob());
      await woken;
      await settleWakes();
      expect(other.calls).toBe(0);
      expect(mine.calls).toBeGreaterThanOrEqual(1);
    });

    it('stops calling a listener once unsubscribed', async () => {
      const gone = watchWakes(SERVICE);
      gone.stop();
      const staying = watchWakes(SERVICE);
      const woken = staying.next('an insert');
      await t.store.insert(newJob());
      await woken;
      await settleWakes();
      expect(gone.calls).toBe(0);
    });
  });
}
