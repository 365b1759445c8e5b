import { describe, expect, it } from 'vitest';
import type { NewFlowJob, OnParentFailure } from '../job-flows.js';
import { limitGate, type LimitSet } from '../gate-rules.js';
import type { FlowChange } from '../flow-change-hub.js';
import type { ContractContext } from './contract-context.contract.js';
import { OTHER, SERVICE, T0, claimOptions, newJob } from './fixtures.contract.js';

/** A job of a flow waiting for stored jobs `ids` and earlier ones `refs`. */
export function flowJob(task: string, parents: { ids?: number[]; refs?: number[] } = {}, onParentFailure: OnParentFailure = 'cancel'): NewFlowJob {
  return { ...newJob({ task }), parentIds: parents.ids ?? [], parentRefs: parents.refs ?? [], onParentFailure };
}

export function dependenciesContract(t: ContractContext): void {
  describe('dependencies (jobs that wait for others)', () => {
    const complete = (id: number, now = T0 + 1) => t.finishOne({ id, workerId: 'w1', now, kind: 'completed', result: { of: id } });
    const fail = (id: number) => t.finishOne({ id, workerId: 'w1', now: T0 + 1, kind: 'failed', error: 'boom', errorStack: null });

    it('keeps a child blocked, unclaimable, until every parent completed; then queues it and wakes its service', async () => {
      const [a, b] = await t.store.insertMany([newJob({ task: 'a' }), newJob({ task: 'b' })]);
      const { jobs: [child] } = await t.store.insertFlow({ jobs: [flowJob('child', { ids: [a.id, b.id] })] });
      expect(child).toMatchObject({ status: 'blocked', batchId: null });
      await t.claimJob(a.id);
      await complete(a.id);
      expect((await t.mustGet(child.id)).status).toBe('blocked');
      expect(await t.store.claim(claimOptions({ jobId: child.id }))).toEqual([]);
      await t.claimJob(b.id);
      const wakes = t.watchWakes(SERVICE);
      const woken = wakes.next('the last parent completed');
      await complete(b.id);
      await woken;
      wakes.stop();
      expect(await t.mustGet(child.id)).toMatchObject({ status: 'queued', runAt: 0 });
      expect(await t.store.parentsOf(child.id)).toEqual([
        { id: a.id, task: 'a', status: 'completed', result: { of: a.id }, error: null },
        { id: b.id, task: 'b', status: 'completed', result: { of: b.id }, error: null },
      ]);
      expect((await t.store.childrenOf(a.id)).map((job) => job.id)).toEqual([child.id]);
      expect((await t.claimJob(child.id)).status).toBe('processing');
    });

    it('keeps the gate of a flow\'s jobs: released children run under their limit as other jobs do', async () => {
      const limits: LimitSet = { convert: { concurrency: 1 } };
      const gate = limitGate('convert');
      const parent = await t.store.insert(newJob({ task: 'prepare' }));
      const { jobs: children } = await t.store.insertFlow({
        jobs: [{ ...flowJob('convert', { ids: [parent.id] }), gate }, { ...flowJob('convert', { ids: [parent.id] }), gate }],
      });
      expect(children.map((child) => child.gate)).toEqual([gate, gate]);
      await t.claimJob(parent.id);
      await complete(parent.id);
      const claimed = await t.store.claim(claimOptions({ limit: 10, limits, now: T0 + 2 }));
      expect(claimed.map((job) => job.id)).toEqual([children[0].id]);
      expect((await t.mustGet(children[1].id)).status).toBe('queued');
    });

    it('cancels a child whose parent failed, naming the parent, and the cancel cascades down the tree', async () => {
      const parent = await t.store.insert(newJob({ task: 'convert' }));
      const { jobs: [child, grandchild, runner] } = await t.store.insertFlow({
        jobs: [flowJob('thumbnail', { ids: [parent.id] }), flowJob('notify', { refs: [0] }), flowJob('cleanup', { refs: [0] }, 'run')],
      });
      await t.claimJob(parent.id);
      await fail(parent.id);
      expect(await t.mustGet(child.id)).toMatchObject({ status: 'cancelled', error: `cancelled: its parent job ${parent.id} ended error`, completed: T0 + 1 });
      expect(await t.mustGet(grandchild.id)).toMatchObject({ status: 'cancelled', error: `cancelled: its parent job ${child.id} ended cancelled` });
      // "run": it runs anyway once its parent ended, however it ended.
      expect((await t.mustGet(runner.id)).status).toBe('queued');
    });

    it('reports each job its parents released or cancelled, once, after the write (no process made those transitions), and none cancelAll ended itself', async () => {
      const changes: FlowChange[] = [];
      let expected = 0;
      let arrived: (() => void) | undefined;
      const stop = t.store.onFlowChanged((change) => {
        changes.push(change);
        if (changes.length >= expected) arrived?.();
      });
      const heard = (count: number, what: string) => {
        expected = count;
        return changes.length >= count ? Promise.resolve() : new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`${what}: ${changes.length} of ${count} flow changes heard`)), 10_000);
          arrived = () => { clearTimeout(timer); resolve(); };
        });
      };
      try {
        const parent = await t.store.insert(newJob({ task: 'convert' }));
        const { jobs: [child, grandchild, runner] } = await t.store.insertFlow({
          jobs: [flowJob('thumbnail', { ids: [parent.id] }), flowJob('notify', { refs: [0] }), flowJob('cleanup', { refs: [0] }, 'run')],
        });
        await t.claimJob(parent.id);
        await fail(parent.id);
        await heard(3, 'the failed parent');
        const byId = [...changes].sort((a, b) => a.jobId - b.jobId);
        expect(byId).toEqual([
          { service: SERVICE, jobId: child.id, task: 'thumbnail', status: 'cancelled', time: T0 + 1, error: `cancelled: its parent job ${parent.id} ended error` },
          { service: SERVICE, jobId: grandchild.id, task: 'notify', status: 'cancelled', time: T0 + 1, error: `cancelled: its parent job ${child.id} ended cancelled` },
          { service: SERVICE, jobId: runner.id, task: 'cleanup', status: 'queued', time: expect.any(Number), error: null },
        ]);
        // cancelAll ends the blocked jobs itself (and says so): the store reports none of them again.
        const other = await t.store.insert(newJob());
        const { jobs: [waiting] } = await t.store.insertFlow({ jobs: [flowJob('child', { ids: [other.id] }), flowJob('grandchild', { refs: [0] })] });
        expect((await t.store.cancelAll(SERVICE, T0 + 3)).map((job) => job.id)).toEqual(expect.arrayContaining([other.id, waiting.id]));
        await t.settleWakes();
        expect(changes).toHaveLength(3);
      } finally {
        stop();
      }
    });

    it('a blocked job is cancellable, and cancelling a parent cancels its children (cancel and cancelAll)', async () => {
      const parent = await t.store.insert(newJob());
      const { jobs: [child, grandchild] } = await t.store.insertFlow({ jobs: [flowJob('child', { ids: [parent.id] }), flowJob('grandchild', { refs: [0] })] });
      expect((await t.store.cancel(child.id, T0 + 2))?.status).toBe('cancelled');
      expect((await t.mustGet(grandchild.id)).status).toBe('cancelled');
      expect((await t.mustGet(parent.id)).status).toBe('queued');
      const other = await t.store.insert(newJob());
      const { jobs: [waiting] } = await t.store.insertFlow({ jobs: [flowJob('child', { ids: [other.id] })] });
      expect(await t.store.cancelAll(SERVICE, T0 + 3)).toHaveLength(3);
      expect((await t.mustGet(waiting.id)).status).toBe('cancelled');
    });

    it('a parent that ended already counts at once: completed releases, failed cancels (or not, with "run")', async () => {
      const done = await t.store.insert(newJob());
      await t.claimJob(done.id);
      await complete(done.id);
      const failed = await t.store.insert(newJob());
      await t.claimJob(failed.id);
      await fail(failed.id);
      const { jobs } = await t.store.insertFlow({
        jobs: [flowJob('a', { ids: [done.id] }), flowJob('b', { ids: [failed.id] }), flowJob('c', { ids: [failed.id] }, 'run'), flowJob('d', { refs: [1] })],
      });
      expect(jobs.map((job) => job.status)).toEqual(['queued', 'cancelled', 'queued', 'cancelled']);
      expect(jobs[1].error).toBe(`cancelled: its parent job ${failed.id} ended error`);
    });

    it('a retried parent that ends again does not count twice for a child that runs anyway', async () => {
      const [a, b] = await t.store.insertMany([newJob({ task: 'a' }), newJob({ task: 'b' })]);
      const { jobs: [child] } = await t.store.insertFlow({ jobs: [flowJob('child', { ids: [a.id, b.id] }, 'run')] });
      await t.claimJob(a.id);
      await fail(a.id);
      await t.store.retry(a.id);
      await t.claimJob(a.id);
      await fail(a.id);
      expect((await t.mustGet(child.id)).status).toBe('blocked');
    });

    it('a job whose last attempt was lost with its worker ends error and cancels its children', async () => {
      const parent = await t.store.insert(newJob({ maxAttempts: 1 }));
      const { jobs: [child] } = await t.store.insertFlow({ jobs: [flowJob('child', { ids: [parent.id] })] });
      await t.claimJob(parent.id);
      expect(await t.store.recoverExpired(T0 + 10 * 60_000)).toBe(1);
      expect((await t.mustGet(child.id)).status).toBe('cancelled');
    });

    it('refuses unknown parents and parents of another service, adding nothing', async () => {
      const other = await t.store.insert(newJob({ service: OTHER }));
      const before = await t.store.countByStatus(SERVICE);
      await expect(t.store.insertFlow({ jobs: [flowJob('x'), flowJob('y', { ids: [other.id, 987654] })] })).rejects.toMatchObject({
        code: 'unknown_parent',
        message: `no job ${other.id}, 987654 in ${SERVICE} to wait for: "after" names jobs of the same service by id`,
      });
      expect(await t.store.countByStatus(SERVICE)).toEqual(before);
      expect(await t.store.childrenOf(other.id)).toEqual([]);
    });

    it('counts blocked jobs, and clean removes ended jobs with their links', async () => {
      const parent = await t.store.insert(newJob());
      await t.store.insertFlow({ jobs: [flowJob('child', { ids: [parent.id] })] });
      expect((await t.store.countByStatus(SERVICE)).blocked).toBe(1);
      expect((await t.store.list({ service: SERVICE, status: ['blocked'] })).jobs.map((job) => job.task)).toEqual(['child']);
      await t.claimJob(parent.id);
      await complete(parent.id);
      expect(await t.store.clean(SERVICE, ['completed'])).toBe(1);
      const [child] = (await t.store.list({ service: SERVICE })).jobs;
      expect(await t.store.parentsOf(child.id)).toEqual([]);
    });
  });
}
