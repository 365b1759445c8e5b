import { describe, expect, it } from 'vitest';
import type { ContractContext } from './contract-context.contract.js';
import { flowJob } from './dependencies.contract.js';
import { SERVICE, T0, claimOptions } from './fixtures.contract.js';

/** A batch of `size` members and its callback (waiting for all of them, run whatever they ended). */
export function batchFlow(size: number) {
  const members = Array.from({ length: size }, (_, index) => flowJob(`member${index}`));
  return { jobs: [...members, flowJob('callback', { refs: members.map((_, index) => index) }, 'run')], batch: true };
}

export function batchesContract(t: ContractContext): void {
  describe('batches', () => {
    it('runs the callback once every member ended, with the counts of completed, failed and cancelled', async () => {
      const { jobs, batchId } = await t.store.insertFlow(batchFlow(12));
      const callback = jobs[jobs.length - 1];
      expect(batchId).not.toBeNull();
      expect(jobs.every((job) => job.batchId === batchId)).toBe(true);
      expect(await t.store.getBatch(batchId!)).toEqual({
        id: batchId, service: SERVICE, callbackId: callback.id, size: 12, created: T0, completed: 0, failed: 0, cancelled: 0, pending: 12,
      });
      await t.store.cancel(jobs[11].id, T0 + 1);
      const claimed = await t.store.claim(claimOptions({ limit: 20 }));
      // The callback is blocked: the claim takes only the members.
      expect(claimed.map((job) => job.id).sort((a, b) => a - b)).toEqual(jobs.slice(0, 11).map((job) => job.id));
      await t.store.finish(claimed.slice(0, 2).map((job) => ({ id: job.id, workerId: 'w1', now: T0 + 2, kind: 'failed' as const, error: 'no', errorStack: null })));
      await t.store.finish(claimed.slice(2, 10).map((job) => ({ id: job.id, workerId: 'w1', now: T0 + 2, kind: 'completed' as const, result: null })));
      expect(await t.store.getBatch(batchId!)).toMatchObject({ completed: 8, failed: 2, cancelled: 1, pending: 1 });
      expect((await t.mustGet(callback.id)).status).toBe('blocked');
      await t.finishOne({ id: claimed[10].id, workerId: 'w1', now: T0 + 3, kind: 'completed', result: null });
      expect((await t.mustGet(callback.id)).status).toBe('queued');
      expect(await t.store.getBatch(batchId!)).toMatchObject({ completed: 9, failed: 2, cancelled: 1, pending: 0 });
      expect((await t.store.claim(claimOptions({ limit: 20 }))).map((job) => job.id)).toEqual([callback.id]);
      expect(await t.store.getBatch(987654)).toBeUndefined();
    });

    it('a plain flow is no batch', async () => {
      const { jobs, batchId } = await t.store.insertFlow({ jobs: [flowJob('a'), flowJob('b', { refs: [0] })] });
      expect(batchId).toBeNull();
      expect(jobs.map((job) => [job.status, job.batchId])).toEqual([['queued', null], ['blocked', null]]);
    });
  });
}
