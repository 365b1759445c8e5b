import { describe, expect, it } from 'vitest';
import type { LimitSet } from '../gate-rules.js';
import { limitGate } from '../gate-rules.js';
import type { ContractContext } from './contract-context.contract.js';
import { T0, SERVICE, newJob, delayedJob, claimOptions } from './fixtures.contract.js';

/** The contract of limits (core/store/gate-rules.ts): enforced by the claim, for every claimer of the store. */
export function limitsContract(t: ContractContext): void {
  const ids = (jobs: { id: number }[]) => jobs.map((job) => job.id);
  const convert = limitGate('convert');
  const limits: LimitSet = { convert: { concurrency: 2 } };
  const limited = (overrides = {}) => newJob({ task: 'convert', gate: convert, ...overrides });
  const complete = (id: number, workerId = 'w1', now = T0 + 1) =>
    t.store.finish([{ id, workerId, now, kind: 'completed', result: null }]);

  describe('limits', () => {
    it('keeps a job’s gate, and none for plain jobs', async () => {
      const job = await t.store.insert(limited());
      const plain = await t.store.insert(newJob());
      expect((await t.mustGet(job.id)).gate).toBe(convert);
      expect((await t.mustGet(plain.id)).gate).toBeNull();
    });

    it('claims no more jobs of a concurrency limit than it allows, across claimers', async () => {
      const jobs = await t.store.insertMany([limited(), limited(), limited(), newJob()]);
      const first = await t.store.claim(claimOptions({ limit: 1, limits, workerId: 'w1' }));
      const second = await t.store.claim(claimOptions({ limit: 10, limits, workerId: 'w2' }));
      expect(ids(first)).toEqual([jobs[0].id]);
      // The limit's second slot, then the plain job; the third limited job waits.
      expect(ids(second).sort((a, b) => a - b)).toEqual([jobs[1].id, jobs[3].id]);
      expect(await t.store.claim(claimOptions({ limit: 10, limits, workerId: 'w3' }))).toEqual([]);
      expect((await t.mustGet(jobs[2].id)).status).toBe('queued');
    });

    it('frees a slot when a run ends, and wakes the claimers', async () => {
      const jobs = await t.store.insertMany([limited(), limited(), limited()]);
      await t.store.claim(claimOptions({ limit: 10, limits }));
      const wakes = t.watchWakes(SERVICE);
      const woken = wakes.next('a limited job finished');
      await complete(jobs[0].id);
      await woken;
      wakes.stop();
      expect(ids(await t.store.claim(claimOptions({ limit: 10, limits, now: T0 + 2 })))).toEqual([jobs[2].id]);
    });

    it('says why a job waits, and when the limit is no reason to look again', async () => {
      const jobs = await t.store.insertMany([limited(), limited(), limited()]);
      expect(await t.store.heldBy(jobs[2].id, T0, limits)).toBeNull();
      await t.store.claim(claimOptions({ limit: 10, limits }));
      expect(await t.store.heldBy(jobs[2].id, T0, limits)).toEqual({ limit: 'convert', reason: 'concurrency 2 reached' });
      // Held by a full concurrency limit: no time to look again (the end of a run wakes the claimers).
      expect(await t.store.nextRunAt(SERVICE, { now: T0, limits })).toBeNull();
      expect(await t.store.hasWaiting(SERVICE, T0)).toBe(true);
    });

    it('claims at most `count` per rate window, and says when the next window opens', async () => {
      const rated: LimitSet = { convert: { rate: { count: 2, perMs: 1_000 } } };
      const start = Math.floor(T0 / 1_000) * 1_000;
      const jobs = await t.store.insertMany([limited(), limited(), limited(), limited()]);
      const first = await t.store.claim(claimOptions({ limit: 10, limits: rated, now: start + 100 }));
      expect(ids(first)).toEqual([jobs[0].id, jobs[1].id]);
      // Finished runs do not give the window back: it counts claims.
      await Promise.all(first.map((job) => complete(job.id, 'w1', start + 200)));
      expect(await t.store.claim(claimOptions({ limit: 10, limits: rated, now: start + 300 }))).toEqual([]);
      expect(await t.store.heldBy(jobs[2].id, start + 300, rated)).toEqual({ limit: 'convert', reason: 'rate 2 per 1000 ms reached' });
      expect(await t.store.nextRunAt(SERVICE, { now: start + 300, limits: rated })).toBe(start + 1_000);
      expect(ids(await t.store.claim(claimOptions({ limit: 10, limits: rated, now: start + 1_000 })))).toEqual([jobs[2].id, jobs[3].id]);
    });

    it('applies a partitioned limit per partition', async () => {
      const perCustomer: LimitSet = { convert: { concurrency: 1, partitionBy: 'customer' } };
      const a = limitGate('convert', 'a');
      const b = limitGate('convert', 'b');
      const jobs = await t.store.insertMany([
        limited({ gate: a }), limited({ gate: a }), limited({ gate: b }), limited({ gate: b }),
      ]);
      const claimed = ids(await t.store.claim(claimOptions({ limit: 10, limits: perCustomer })));
      expect(claimed.sort((x, y) => x - y)).toEqual([jobs[0].id, jobs[2].id]);
      expect(await t.store.heldBy(jobs[1].id, T0, perCustomer)).toEqual({ limit: 'convert', partition: 'a', reason: 'concurrency 1 reached' });
    });

    it('claims a limited job by id only when its limit lets it through', async () => {
      const jobs = await t.store.insertMany([limited(), limited(), limited()]);
      await t.store.claim(claimOptions({ limit: 2, limits }));
      expect(await t.store.claim(claimOptions({ jobId: jobs[2].id, limits }))).toEqual([]);
    });

    it('leaves jobs whose limit is gone from the options unlimited, and waits for a delayed one', async () => {
      const jobs = await t.store.insertMany([limited(), limited(), limited(), delayedJob({ task: 'convert', gate: convert })]);
      expect(ids(await t.store.claim(claimOptions({ limit: 10 })))).toEqual(ids(jobs.slice(0, 3)));
      expect(await t.store.nextRunAt(SERVICE, { now: T0 })).toBe(jobs[3].runAt);
    });
  });
}
