import { describe, expect, it } from 'vitest';
import type { ContractContext } from './contract-context.contract.js';
import { limitGate, queueGate, type LimitSet } from '../gate-rules.js';
import { T0, newJob, cronJob, claimOptions } from './fixtures.contract.js';

/** The contract of claim limited to some tasks (`tasks`): what an agent serving only those claims. */
export function claimTasksContract(t: ContractContext): void {
  const { mustGet } = t;
  describe('claim of some tasks', () => {
    it('takes only jobs of the tasks named, and leaves the others waiting, no attempt spent', async () => {
      const [upper, echo, lower, echo2] = await t.store.insertMany([
        newJob({ task: 'upper' }), newJob({ task: 'echo' }), newJob({ task: 'lower' }), newJob({ task: 'echo' }),
      ]);
      const claimed = await t.store.claim(claimOptions({ limit: 10, tasks: ['upper', 'lower'] }));
      expect(claimed.map((job) => job.id)).toEqual([upper!.id, lower!.id]);
      for (const id of [echo!.id, echo2!.id]) {
        const job = await mustGet(id);
        expect([job.status, job.attempts, job.lockedBy]).toEqual(['queued', 0, null]);
      }
      expect((await t.store.claim(claimOptions({ limit: 10 }))).map((job) => job.id)).toEqual([echo!.id, echo2!.id]);
    });

    it('takes the most urgent jobs across the tasks: priority, then runAt, then id', async () => {
      const [a1, b1, a2, b2, c1] = await t.store.insertMany([
        newJob({ task: 'a', runAt: T0 - 10 }),
        newJob({ task: 'b', runAt: T0 - 20 }),
        newJob({ task: 'a', runAt: T0 - 30, priority: 1 }),
        newJob({ task: 'b', runAt: T0 - 5, priority: -1 }),
        newJob({ task: 'c', runAt: T0 - 40, priority: -2 }),
      ]);
      const first = await t.store.claim(claimOptions({ limit: 3, tasks: ['a', 'b'] }));
      expect(first.map((job) => job.id)).toEqual([b2!.id, b1!.id, a1!.id]);
      expect((await t.store.claim(claimOptions({ limit: 3, tasks: ['b', 'a'] }))).map((job) => job.id)).toEqual([a2!.id]);
      expect((await mustGet(c1!.id)).status).toBe('queued');
    });

    it('takes a due cron job of a task named and moves it to its next occurrence', async () => {
      const cron = await t.store.insert(cronJob({ task: 'tick', runAt: T0 - 1 }));
      await t.store.insert(cronJob({ task: 'tock', runAt: T0 - 1 }));
      const [claimed] = await t.store.claim(claimOptions({ limit: 5, tasks: ['tick'] }));
      expect(claimed?.id).toBe(cron.id);
      expect((await mustGet(cron.id)).runAt).toBe(T0 + 60_000);
    });

    it('with jobId, takes that job only when it is of a task named', async () => {
      const job = await t.store.insert(newJob({ task: 'echo' }));
      expect(await t.store.claim(claimOptions({ jobId: job.id, tasks: ['upper'] }))).toEqual([]);
      expect((await t.store.claim(claimOptions({ jobId: job.id, tasks: ['upper', 'echo'] }))).map((claimed) => claimed.id)).toEqual([job.id]);
    });

    it('takes gated jobs of the tasks named only, as their gates allow, the others still counting', async () => {
      const any = limitGate('*');
      const limits: LimitSet = { '*': { concurrency: 2 } };
      const queue = queueGate('customer-1');
      const [echoLimited, upperLimited, upperLimited2, echoQueued, upperQueued] = await t.store.insertMany([
        newJob({ task: 'echo', gate: any }), newJob({ task: 'upper', gate: any }), newJob({ task: 'upper', gate: any }),
        newJob({ task: 'echo', gate: queue }), newJob({ task: 'upper', gate: queue }),
      ]);
      // The queue's head is an echo job: an upper-only claimer must not pass it.
      const first = await t.store.claim(claimOptions({ limit: 10, limits, tasks: ['upper'], workerId: 'agent' }));
      expect(first.map((job) => job.id)).toEqual([upperLimited!.id, upperLimited2!.id]);
      expect((await mustGet(upperQueued!.id)).status).toBe('queued');
      // The limit's two slots are taken by the upper jobs: the echo job waits, and the queue's head runs.
      const second = await t.store.claim(claimOptions({ limit: 10, limits, workerId: 'w2' }));
      expect(second.map((job) => job.id)).toEqual([echoQueued!.id]);
      expect((await mustGet(echoLimited!.id)).status).toBe('queued');
    });

    it('with no task named, takes nothing', async () => {
      await t.store.insert(newJob());
      expect(await t.store.claim(claimOptions({ limit: 5, tasks: [] }))).toEqual([]);
    });
  });
}
