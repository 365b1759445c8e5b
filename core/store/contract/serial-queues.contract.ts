import { describe, expect, it } from 'vitest';
import { queueGate } from '../gate-rules.js';
import type { ContractContext } from './contract-context.contract.js';
import { T0, SERVICE, newJob, claimOptions } from './fixtures.contract.js';

/** The contract of serial queues (core/store/gate-rules.ts): one job of a queue at a time, in the order added. */
export function serialQueuesContract(t: ContractContext): void {
  const ids = (jobs: { id: number }[]) => jobs.map((job) => job.id);
  const q = queueGate('customer-1');
  const queued = (overrides = {}) => newJob({ gate: q, ...overrides });

  describe('serial queues', () => {
    it('hands out one job of a queue at a time, in the order added, beside other queues and plain jobs', async () => {
      const [a1, a2, b1, plain] = await t.store.insertMany([queued(), queued({ priority: -5 }), newJob({ gate: queueGate('other') }), newJob()]);
      const claimed = ids(await t.store.claim(claimOptions({ limit: 10 }))).sort((x, y) => x - y);
      expect(claimed).toEqual([a1.id, b1.id, plain.id]);
      expect(await t.store.claim(claimOptions({ limit: 10, workerId: 'w2' }))).toEqual([]);
      expect(await t.store.heldBy(a2.id, T0)).toEqual({ queue: 'customer-1', reason: `job ${a1.id} of the queue runs first` });
      expect(await t.store.nextRunAt(SERVICE, { now: T0 })).toBeNull();
      const wakes = t.watchWakes(SERVICE);
      const woken = wakes.next('the head of a queue finished');
      await t.store.finish([{ id: a1.id, workerId: 'w1', now: T0 + 1, kind: 'completed', result: null }]);
      await woken;
      wakes.stop();
      expect(ids(await t.store.claim(claimOptions({ limit: 10, now: T0 + 2 })))).toEqual([a2.id]);
    });

    it('waits for a failing job’s retries, then moves on once it failed for good', async () => {
      const [first, second] = await t.store.insertMany([queued({ maxAttempts: 2 }), queued()]);
      await t.claimJob(first.id);
      await t.store.finish([{ id: first.id, workerId: 'w1', now: T0 + 1, kind: 'retry', error: 'boom', errorStack: null, runAt: T0 + 5_000 }]);
      // The retry waits delayed: the queue waits with it, and says when to look.
      expect(await t.store.claim(claimOptions({ limit: 10, now: T0 + 2 }))).toEqual([]);
      expect(await t.store.nextRunAt(SERVICE, { now: T0 + 2 })).toBe(T0 + 5_000);
      expect(ids(await t.store.claim(claimOptions({ limit: 10, now: T0 + 5_000 })))).toEqual([first.id]);
      await t.store.finish([{ id: first.id, workerId: 'w1', now: T0 + 5_001, kind: 'failed', error: 'boom', errorStack: null }]);
      expect(ids(await t.store.claim(claimOptions({ limit: 10, now: T0 + 5_002 })))).toEqual([second.id]);
    });

    it('says a later job waits for a head that waits too', async () => {
      const [first, second] = await t.store.insertMany([queued({ status: 'delayed', runAt: T0 + 1_000 }), queued()]);
      expect(await t.store.heldBy(second.id, T0)).toEqual({ queue: 'customer-1', reason: `job ${first.id} of the queue comes first` });
      expect(await t.store.heldBy(first.id, T0)).toBeNull();
      expect(await t.store.claim(claimOptions({ limit: 10 }))).toEqual([]);
    });

    it('moves on past a cancelled job', async () => {
      const [first, second] = await t.store.insertMany([queued(), queued()]);
      await t.store.cancel(first.id, T0);
      expect(ids(await t.store.claim(claimOptions({ limit: 10 })))).toEqual([second.id]);
    });

    it('lets nothing of the queue through while its head is held by a lost worker, until recovered', async () => {
      const [first, second] = await t.store.insertMany([queued(), queued()]);
      await t.claimJob(first.id);
      expect(await t.store.claim(claimOptions({ limit: 10, now: T0 + 60_000 }))).toEqual([]);
      await t.store.recoverExpired(T0 + 60_000);
      expect(ids(await t.store.claim(claimOptions({ limit: 10, now: T0 + 60_001 })))).toEqual([first.id]);
      expect(second.status).toBe('queued');
    });
  });
}
