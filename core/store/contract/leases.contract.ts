import { describe, expect, it } from 'vitest';
import type { ContractContext } from './contract-context.contract.js';
import { T0, LEASE, LOST, newJob, claimOptions } from './fixtures.contract.js';

/** The contract of renewLeases and recoverExpired. */
export function leasesContract(t: ContractContext): void {
  const { mustGet, claimJob, runningJob, runningCronJob } = t;
  describe('renewLeases', () => {
    it("extends only the caller's leases and returns the ids it still holds", async () => {
      const mine = await runningJob();
      const cron = await runningCronJob();
      const theirs = await t.store.insert(newJob());
      await claimJob(theirs.id, T0, 'w2');
      const done = await runningJob();
      await t.store.finish([{ id: done.id, workerId: 'w1', now: T0, kind: 'completed', result: null }]);
      const held = await t.store.renewLeases([mine.id, theirs.id, done.id, cron.id, 987_654_321], 'w1', T0 + 99_000);
      expect(held).toEqual([mine.id, cron.id]);
      expect((await mustGet(mine.id)).lockedUntil).toBe(T0 + 99_000);
      expect((await mustGet(cron.id)).lockedUntil).toBe(T0 + 99_000);
      expect((await mustGet(theirs.id)).lockedUntil).toBe(T0 + LEASE);
      expect((await mustGet(done.id)).lockedUntil).toBeNull();
      expect(await t.store.renewLeases([], 'w1', T0)).toEqual([]);
    });

    it('a renewed lease is not recovered at its old expiry', async () => {
      const job = await runningJob();
      await t.store.renewLeases([job.id], 'w1', T0 + 2 * LEASE);
      expect(await t.store.recoverExpired(T0 + LEASE)).toBe(0);
      expect((await mustGet(job.id)).status).toBe('processing');
      expect(await t.store.recoverExpired(T0 + 2 * LEASE)).toBe(1);
    });
  });

  describe('recoverExpired', () => {
    it('queues a job whose lease ended again, with its attempt counted', async () => {
      const job = await runningJob({ maxAttempts: 2 });
      expect(await t.store.recoverExpired(T0 + LEASE - 1)).toBe(0);
      expect((await mustGet(job.id)).status).toBe('processing');
      expect(await t.store.recoverExpired(T0 + LEASE)).toBe(1);
      expect(await mustGet(job.id)).toMatchObject({ status: 'queued', runAt: 0, attempts: 1, lockedBy: null, lockedUntil: null });
    });

    it('fails a job whose lease ended on its last attempt', async () => {
      const job = await runningJob({ maxAttempts: 1 });
      expect(await t.store.recoverExpired(T0 + LEASE + 5)).toBe(1);
      expect(await mustGet(job.id)).toMatchObject({
        status: 'error',
        error: LOST,
        completed: T0 + LEASE + 5,
        attempts: 1,
        lockedBy: null,
        lockedUntil: null,
      });
    });

    it('unlocks a cron job whose lease ended and keeps its next occurrence', async () => {
      const job = await runningCronJob();
      expect(await t.store.recoverExpired(T0 + 600_000 + LEASE)).toBe(1);
      expect(await mustGet(job.id)).toMatchObject({ status: 'cronjob', runAt: T0 + 660_000, lockedBy: null, lockedUntil: null });
      expect((await t.store.claim(claimOptions({ now: T0 + 660_000, workerId: 'w2' }))).map((claimed) => claimed.id)).toEqual([job.id]);
    });

    it('counts every job it touched and leaves unexpired leases alone', async () => {
      const expired = await runningJob();
      const last = await runningJob({ maxAttempts: 1 });
      const fresh = await t.store.insert(newJob());
      await claimJob(fresh.id, T0 + 1_000);
      const cron = await runningCronJob();
      expect(await t.store.recoverExpired(T0 + LEASE + 500)).toBe(2);
      expect((await mustGet(expired.id)).status).toBe('queued');
      expect((await mustGet(last.id)).status).toBe('error');
      expect(await mustGet(fresh.id)).toMatchObject({ status: 'processing', lockedBy: 'w1', lockedUntil: T0 + 1_000 + LEASE });
      expect(await mustGet(cron.id)).toMatchObject({ lockedBy: 'w1', lockedUntil: T0 + 600_000 + LEASE });
      expect(await t.store.recoverExpired(T0 + LEASE + 500)).toBe(0);
    });

    it('cancels a lost job whose cancel was requested instead of queueing it', async () => {
      const job = await runningJob();
      await t.store.cancel(job.id, T0 + 1);
      expect(await t.store.recoverExpired(T0 + LEASE)).toBe(1);
      expect(await mustGet(job.id)).toMatchObject({ status: 'cancelled', completed: T0 + LEASE, lockedBy: null });
    });
  });
}
