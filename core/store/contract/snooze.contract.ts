import { describe, expect, it } from 'vitest';
import type { ContractContext } from './contract-context.contract.js';
import { T0, claimOptions } from './fixtures.contract.js';

/** The contract of a snoozed run: the job waits `delayed`, its attempt not counted. */
export function snoozeContract(t: ContractContext): void {
  const { runningJob, runningCronJob, finishOne } = t;

  describe('finish: snoozed', () => {
    it('makes the job wait delayed until runAt, its attempt not counted, its last error kept', async () => {
      const first = await runningJob();
      await t.store.finish([{ id: first.id, workerId: 'w1', now: T0 + 1, kind: 'retry', error: 'flaky', errorStack: 'Error: flaky', runAt: T0 + 2 }]);
      const job = await t.claimJob(first.id, T0 + 2);
      expect(job.attempts).toBe(2);
      expect(await finishOne({ id: job.id, workerId: 'w1', now: T0 + 3, kind: 'snoozed', runAt: T0 + 60_000 })).toMatchObject({
        status: 'delayed', runAt: T0 + 60_000, attempts: 1, lockedBy: null, completed: null, error: 'flaky', errorStack: 'Error: flaky',
      });
      expect(await t.store.claim(claimOptions({ now: T0 + 59_999 }))).toEqual([]);
      expect(await t.store.claim(claimOptions({ now: T0 + 60_000 }))).toMatchObject([{ id: job.id, status: 'processing', attempts: 2 }]);
    });

    it('keeps a cron job a cron job, due no later than runAt', async () => {
      const cron = await runningCronJob();
      expect(await finishOne({ id: cron.id, workerId: 'w1', now: T0 + 600_001, kind: 'snoozed', runAt: T0 + 630_000 })).toMatchObject({
        status: 'cronjob', runAt: T0 + 630_000, attempts: 0,
      });
    });

    it('ends cancelled when a cancel was requested during the run', async () => {
      const job = await runningJob();
      await t.store.cancel(job.id, T0 + 1);
      expect(await finishOne({ id: job.id, workerId: 'w1', now: T0 + 2, kind: 'snoozed', runAt: T0 + 60_000 })).toMatchObject({
        status: 'cancelled', completed: T0 + 2,
      });
    });

    it('is not applied for a worker that does not hold the job', async () => {
      const job = await runningJob();
      expect(await t.store.finish([{ id: job.id, workerId: 'w2', now: T0 + 2, kind: 'snoozed', runAt: T0 + 60_000 }])).toEqual([]);
      expect((await t.mustGet(job.id)).status).toBe('processing');
    });
  });
}
