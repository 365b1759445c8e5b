import { describe, expect, it } from 'vitest';
import type { NewJob } from '../job-store.js';
import type { FinishedPosition, FinishedStatus, RetentionBatch } from '../retention-rules.js';
import type { ContractContext } from './contract-context.contract.js';
import { T0, SERVICE, OTHER, newJob, cronJob, bounded } from './fixtures.contract.js';

/** The contract of retention's store steps (finishedPosition, removeFinished) and of tryExclusively. */
export function retentionContract(t: ContractContext): void {
  /** A job that ended in `status` at `at`. */
  async function endedJob(status: FinishedStatus, at: number, overrides: Partial<NewJob> = {}): Promise<number> {
    const inserted = await t.store.insert(newJob(overrides));
    if (status === 'cancelled') {
      await t.store.cancel(inserted.id, at);
      return inserted.id;
    }
    const job = await t.claimJob(inserted.id, T0, 'w1', inserted.service);
    await t.finishOne(
      status === 'completed'
        ? { id: job.id, workerId: 'w1', now: at, kind: 'completed', result: 'ok' }
        : { id: job.id, workerId: 'w1', now: at, kind: 'failed', error: 'boom', errorStack: null },
    );
    return job.id;
  }

  const batch = (overrides: Partial<RetentionBatch>): RetentionBatch => ({
    service: SERVICE, status: 'completed', before: { completed: T0 + 1_000_000, id: 0 }, after: null, now: T0 + 1_000_000, limit: 1_000, ...overrides,
  });

  const idsOf = async () => (await t.store.list({ service: SERVICE, limit: 1000 })).jobs.map((job) => job.id);

  describe('retention', () => {
    it('removes the finished jobs of one status that ended before the bound, and nothing else', async () => {
      const old = [await endedJob('completed', T0 + 10), await endedJob('completed', T0 + 20)];
      const recent = await endedJob('completed', T0 + 100);
      const failed = await endedJob('error', T0 + 10);
      const cancelled = await endedJob('cancelled', T0 + 10);
      const otherService = await endedJob('completed', T0 + 10, { service: OTHER });
      const queued = (await t.store.insert(newJob())).id;
      const cron = (await t.store.insert(cronJob())).id;
      const running = (await t.runningJob()).id;
      // `now` only matters for key periods: a plain job goes whatever it says.
      const result = await t.store.removeFinished(batch({ before: { completed: T0 + 100, id: 0 }, now: T0 }));
      expect(result).toEqual({ removed: 2, last: null });
      for (const id of old) expect(await t.store.get(id)).toBeUndefined();
      expect((await idsOf()).sort((a, b) => a - b)).toEqual([recent, failed, cancelled, queued, cron, running].sort((a, b) => a - b));
      expect(await t.store.get(otherService)).toBeDefined();
      expect((await t.store.countByStatus(SERVICE)).completed).toBe(1);
      expect((await t.store.countByStatus(OTHER)).completed).toBe(1);
    });

    it('removes error and cancelled jobs by their own status', async () => {
      const failed = await endedJob('error', T0 + 10);
      const cancelled = await endedJob('cancelled', T0 + 10);
      const done = await endedJob('completed', T0 + 10);
      expect((await t.store.removeFinished(batch({ status: 'error' }))).removed).toBe(1);
      expect(await t.store.get(failed)).toBeUndefined();
      expect((await t.store.removeFinished(batch({ status: 'cancelled' }))).removed).toBe(1);
      expect(await t.store.get(cancelled)).toBeUndefined();
      expect(await t.store.get(done)).toBeDefined();
    });

    it('goes oldest end first, a limited batch at a time, each batch saying where it stopped', async () => {
      const ids: number[] = [];
      // Ended in an order unlike their ids, two at the same time (the id decides between them).
      for (const at of [50, 10, 30, 30, 20]) ids.push(await endedJob('completed', T0 + at));
      const first = await t.store.removeFinished(batch({ limit: 2 }));
      expect(first).toEqual({ removed: 2, last: { completed: T0 + 20, id: ids[4] } });
      expect(await t.store.get(ids[1])).toBeUndefined();
      expect(await t.store.get(ids[4])).toBeUndefined();
      const second = await t.store.removeFinished(batch({ limit: 2, after: first.last }));
      expect(second).toEqual({ removed: 2, last: { completed: T0 + 30, id: ids[3] } });
      const third = await t.store.removeFinished(batch({ limit: 2, after: second.last }));
      expect(third).toEqual({ removed: 1, last: null });
      expect(await idsOf()).toEqual([]);
    });

    it('stops at a bound inside a time, by id', async () => {
      const a = await endedJob('completed', T0 + 10);
      const b = await endedJob('completed', T0 + 10);
      expect((await t.store.removeFinished(batch({ before: { completed: T0 + 10, id: b } }))).removed).toBe(1);
      expect(await t.store.get(a)).toBeUndefined();
      expect(await t.store.get(b)).toBeDefined();
    });

    it('finds the nth newest finished job of a status, null when there are fewer', async () => {
      const ids: number[] = [];
      for (const at of [10, 40, 20, 40]) ids.push(await endedJob('completed', T0 + at));
      await endedJob('error', T0 + 50);
      const position = (n: number) => t.store.finishedPosition(SERVICE, 'completed', n);
      expect(await position(1)).toEqual<FinishedPosition>({ completed: T0 + 40, id: ids[3] });
      expect(await position(2)).toEqual<FinishedPosition>({ completed: T0 + 40, id: ids[1] });
      expect(await position(3)).toEqual<FinishedPosition>({ completed: T0 + 20, id: ids[2] });
      expect(await position(4)).toEqual<FinishedPosition>({ completed: T0 + 10, id: ids[0] });
      expect(await position(5)).toBeNull();
      expect(await t.store.finishedPosition(OTHER, 'completed', 1)).toBeNull();
      // Keeping the newest 2: everything before the 2nd newest goes.
      await t.store.removeFinished(batch({ before: (await position(2))! }));
      expect((await idsOf()).filter((id) => ids.includes(id)).sort((a, b) => a - b)).toEqual([ids[1], ids[3]]);
    });

    it('keeps a job whose finished key period has not run out, and removes it once it has', async () => {
      const keyed = await t.store.insertKeyed({ ...newJob(), key: 'k', keyScope: 'finished', keyPeriodMs: 60_000 }, 'keep', T0);
      const claimed = await t.claimJob(keyed.job.id);
      await t.finishOne({ id: claimed.id, workerId: 'w1', now: T0 + 10, kind: 'completed', result: null });
      const plain = await endedJob('completed', T0 + 10);
      const during = await t.store.removeFinished(batch({ now: T0 + 30_000 }));
      expect(during).toEqual({ removed: 1, last: null });
      expect(await t.store.get(plain)).toBeUndefined();
      expect(await t.store.get(keyed.job.id)).toBeDefined();
      expect((await t.store.insertKeyed({ ...newJob(), key: 'k' }, 'keep', T0 + 30_000)).outcome).toBe('existing');
      expect((await t.store.removeFinished(batch({ now: T0 + 60_010 }))).removed).toBe(1);
      expect(await t.store.get(keyed.job.id)).toBeUndefined();
      expect((await t.store.insertKeyed({ ...newJob(), key: 'k' }, 'keep', T0 + 60_010)).outcome).toBe('created');
    });

    it('walks past kept jobs rather than looking at them again', async () => {
      for (let index = 0; index < 3; index += 1) {
        const keyed = await t.store.insertKeyed({ ...newJob(), key: `k${index}`, keyScope: 'finished', keyPeriodMs: 60_000 }, 'keep', T0);
        await t.claimJob(keyed.job.id);
        await t.finishOne({ id: keyed.job.id, workerId: 'w1', now: T0 + 10, kind: 'completed', result: null });
      }
      const plain = await endedJob('completed', T0 + 20);
      const first = await t.store.removeFinished(batch({ limit: 3, now: T0 + 100 }));
      expect(first.removed).toBe(0);
      expect(first.last).not.toBeNull();
      expect(await t.store.removeFinished(batch({ limit: 3, now: T0 + 100, after: first.last }))).toEqual({ removed: 1, last: null });
      expect(await t.store.get(plain)).toBeUndefined();
    });
  });

  describe('tryExclusively', () => {
    it('runs when the lock is free, and answers at once without running while it is held', async () => {
      expect(await t.store.tryExclusively('sweep', async () => 'ran')).toEqual({ ran: true, value: 'ran' });
      let release!: () => void;
      const holding = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const holder = t.store.exclusively('sweep', async () => {
        entered();
        await holding;
        return 'held';
      });
      await bounded(inside, 'the lock holder did not start');
      let ranInside = false;
      const tried = await bounded(
        t.store.tryExclusively('sweep', async () => {
          ranInside = true;
        }),
        'tryExclusively waited for the lock',
      );
      expect(tried).toEqual({ ran: false });
      expect(ranInside).toBe(false);
      expect(await t.store.tryExclusively('other', async () => 1)).toEqual({ ran: true, value: 1 });
      release();
      expect(await holder).toBe('held');
      expect(await t.store.tryExclusively('sweep', async () => 2)).toEqual({ ran: true, value: 2 });
    });

    it('releases the lock when the callback throws', async () => {
      await expect(t.store.tryExclusively('sweep', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
      expect(await t.store.tryExclusively('sweep', async () => 'free')).toEqual({ ran: true, value: 'free' });
    });
  });
}
