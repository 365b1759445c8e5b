import { describe, expect, it } from 'vitest';
import type { ContractContext } from './contract-context.contract.js';
import { T0, SERVICE, newJob, cronJob, delayedJob, claimOptions } from './fixtures.contract.js';

/** The contract of priorities: lower runs first, first come first served within one. */
export function prioritiesContract(t: ContractContext): void {
  const ids = (jobs: { id: number }[]) => jobs.map((job) => job.id);

  describe('priorities', () => {
    it('keeps a job’s priority, 0 when none is given', async () => {
      const plain = await t.store.insert(newJob());
      const urgent = await t.store.insert(newJob({ priority: -5 }));
      const [late] = await t.store.insertMany([newJob({ priority: 32767 })]);
      expect([plain.priority, urgent.priority, late.priority]).toEqual([0, -5, 32767]);
      expect((await t.mustGet(urgent.id)).priority).toBe(-5);
      expect((await t.mustGet(late.id)).priority).toBe(32767);
    });

    it('claims the lowest priority first, and within a priority by runAt, then id', async () => {
      const [low1, high1, low2, mid, high2] = await t.store.insertMany([
        newJob({ priority: 10 }),
        newJob({ priority: -1 }),
        newJob({ priority: 10 }),
        delayedJob({ runAt: T0 - 50, priority: 0 }),
        delayedJob({ runAt: T0 - 100, priority: -1 }),
      ]);
      const cron = await t.store.insert(cronJob({ runAt: T0 - 10, priority: 0 }));
      const claimed = await t.store.claim(claimOptions({ limit: 3 }));
      expect(ids(claimed)).toEqual([high1.id, high2.id, mid.id]);
      expect(ids(await t.store.claim(claimOptions({ limit: 10 })))).toEqual([cron.id, low1.id, low2.id]);
    });

    it('claims across tasks in one order: priority, then runAt, then id, whatever the task', async () => {
      const [echoLow, upperHigh, echoHigh, upperLow, reverseMid] = await t.store.insertMany([
        newJob({ task: 'echo', priority: 5 }),
        newJob({ task: 'upper', priority: -2 }),
        newJob({ task: 'echo', priority: -2 }),
        newJob({ task: 'upper', priority: 5 }),
        delayedJob({ task: 'reverse', runAt: T0 - 10, priority: 0 }),
      ]);
      expect(ids(await t.store.claim(claimOptions({ limit: 3 })))).toEqual([upperHigh.id, echoHigh.id, reverseMid.id]);
      expect(ids(await t.store.claim(claimOptions({ limit: 3 })))).toEqual([echoLow.id, upperLow.id]);
    });

    it('claims adds asked for in one turn by priority, in the order asked for within one', async () => {
      const priorities = [3, 0, 1, 0, 3, 1, 0, 3];
      const jobs = await Promise.all(priorities.map((priority, n) => t.store.insert(newJob({ priority, input: { n } }))));
      const keyed = await Promise.all(
        priorities.map((priority, n) => t.store.insertKeyed({ ...newJob({ priority, input: { n, keyed: true } }), key: `turn-${n}` }, 'keep', T0)),
      );
      expect(keyed.map((answer) => answer.outcome)).toEqual(priorities.map(() => 'created'));
      const byClaim = (added: { id: number; priority: number; input: unknown }[]) =>
        [...added].sort((a, b) => a.priority - b.priority || a.id - b.id).map((job) => (job.input as { n: number }).n);
      // The expected claim order: by priority, then as asked for.
      const expected = priorities.map((priority, n) => ({ priority, n })).sort((a, b) => a.priority - b.priority || a.n - b.n).map((x) => x.n);
      expect(byClaim(jobs)).toEqual(expected);
      // On PostgreSQL each keyed add is a transaction of its own: adds asked for at once have no
      // order among them there, only their priorities.
      const serial = t.store.kind !== 'postgres';
      if (serial) expect(byClaim(keyed.map((answer) => answer.job))).toEqual(expected);
      if (t.store.kind !== 'memory') {
        // The stores that write a turn's adds in one transaction write them in claim order: the jobs
        // of one priority get neighbouring ids, so their rows share pages (in-claim-order.ts).
        const inIdOrder = (added: { id: number; priority: number }[]) => [...added].sort((a, b) => a.id - b.id).map((job) => job.priority);
        expect(inIdOrder(jobs)).toEqual([...priorities].sort((a, b) => a - b));
        // Keyed adds are batched so on SQLite.
        if (t.store.kind === 'sqlite') expect(inIdOrder(keyed.map((answer) => answer.job))).toEqual([...priorities].sort((a, b) => a - b));
      }
      const claimed = await t.store.claim(claimOptions({ limit: 100 }));
      const plainIds = new Set(jobs.map((job) => job.id));
      expect(claimed.map((job) => job.priority)).toEqual([...priorities, ...priorities].sort((a, b) => a - b));
      // Within a priority, the plain adds (written first) come before the keyed ones, each as asked for.
      const ofPlain = claimed.filter((job) => plainIds.has(job.id)).map((job) => (job.input as { n: number }).n);
      expect(ofPlain).toEqual(expected);
      if (serial) expect(claimed.filter((job) => !plainIds.has(job.id)).map((job) => (job.input as { n: number }).n)).toEqual(expected);
    });

    it('answers adds of one key asked for in one turn in the order asked for, whatever their priorities', async () => {
      const [first, second] = await Promise.all([
        t.store.insertKeyed({ ...newJob({ priority: 5, input: 'first' }), key: 'same-turn' }, 'keep', T0),
        t.store.insertKeyed({ ...newJob({ priority: -5, input: 'second' }), key: 'same-turn' }, 'keep', T0),
      ]);
      expect(first.outcome).toBe('created');
      expect(second).toMatchObject({ outcome: 'existing', job: { id: first.job.id, input: 'first', priority: 5 } });
    });

    it('says when the earliest waiting job of any task is due', async () => {
      await t.store.insert(delayedJob({ task: 'echo', runAt: T0 + 300, priority: -3 }));
      await t.store.insert(delayedJob({ task: 'upper', runAt: T0 + 100, priority: 7 }));
      await t.store.insert(delayedJob({ task: 'reverse', runAt: T0 + 200, priority: 0 }));
      expect(await t.store.nextRunAt(SERVICE)).toBe(T0 + 100);
      expect(await t.store.hasWaiting(SERVICE, T0 + 99)).toBe(false);
      expect(await t.store.hasWaiting(SERVICE, T0 + 100)).toBe(true);
    });

    it('passes over a more urgent job that is not due yet', async () => {
      await t.store.insert(delayedJob({ runAt: T0 + 1_000, priority: -10 }));
      const due = await t.store.insert(newJob({ priority: 5 }));
      expect(ids(await t.store.claim(claimOptions({ limit: 5 })))).toEqual([due.id]);
    });

    it('still says when the earliest waiting job is due, whatever the priorities', async () => {
      await t.store.insert(delayedJob({ runAt: T0 + 300, priority: -3 }));
      await t.store.insert(delayedJob({ runAt: T0 + 100, priority: 7 }));
      await t.store.insert(cronJob({ runAt: T0 + 200, priority: 0 }));
      expect(await t.store.nextRunAt(SERVICE)).toBe(T0 + 100);
      expect(await t.store.hasWaiting(SERVICE, T0 + 99)).toBe(false);
      expect(await t.store.hasWaiting(SERVICE, T0 + 100)).toBe(true);
    });

    it('changes the priority of a waiting job, which then runs in its new place', async () => {
      const first = await t.store.insert(newJob());
      const second = await t.store.insert(newJob());
      const later = await t.store.insert(newJob({ status: 'start later' }));
      expect(await t.store.setPriority(second.id, -1)).toMatchObject({ id: second.id, priority: -1, status: 'queued' });
      expect((await t.store.setPriority(later.id, 3))?.priority).toBe(3);
      expect(ids(await t.store.claim(claimOptions({ limit: 1 })))).toEqual([second.id]);
      expect(ids(await t.store.claim(claimOptions({ limit: 1 })))).toEqual([first.id]);
    });

    it('leaves running, finished and unknown jobs alone', async () => {
      const running = await t.runningJob();
      expect(await t.store.setPriority(running.id, 4)).toBeUndefined();
      expect((await t.mustGet(running.id)).priority).toBe(0);
      const cancelled = await t.store.insert(newJob());
      await t.store.cancel(cancelled.id, T0);
      expect(await t.store.setPriority(cancelled.id, 4)).toBeUndefined();
      expect(await t.store.setPriority(987_654_321, 4)).toBeUndefined();
    });

    it('keeps the priority through a claim and a retry', async () => {
      const job = await t.runningJob({ priority: 2 });
      expect(job.priority).toBe(2);
      await t.finishOne({ id: job.id, workerId: 'w1', now: T0 + 1, kind: 'retry', error: 'again', errorStack: null, runAt: T0 + 2 });
      expect((await t.mustGet(job.id)).priority).toBe(2);
    });
  });
}
