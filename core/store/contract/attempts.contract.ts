import { describe, expect, it } from 'vitest';
import { ATTEMPTS_KEPT, ATTEMPT_ERROR_CHARS, ATTEMPT_STACK_CHARS, LOST_ATTEMPT_ERROR } from '../attempt-rules.js';
import type { ContractContext } from './contract-context.contract.js';
import { T0, LEASE, SERVICE, newJob, cronJob, claimOptions } from './fixtures.contract.js';

/** The contract of a job's attempt history: one bounded entry per run that ended, newest first. */
export function attemptsContract(t: ContractContext): void {
  const { mustGet, claimJob, finishOne } = t;

  describe('attempt history', () => {
    it('a job failing twice then succeeding shows three attempts, newest first, with errors and stacks', async () => {
      const job = await t.store.insert(newJob({ maxAttempts: 3 }));
      await claimJob(job.id, T0, 'worker-a');
      await finishOne({ id: job.id, workerId: 'worker-a', now: T0 + 10, kind: 'retry', error: 'first', errorStack: 'Error: first\n    at a', runAt: T0 + 100 });
      await claimJob(job.id, T0 + 100, 'worker-b');
      await finishOne({ id: job.id, workerId: 'worker-b', now: T0 + 120, kind: 'retry', error: 'second', errorStack: 'Error: second\n    at b', runAt: T0 + 200 });
      await claimJob(job.id, T0 + 200, 'worker-a');
      await finishOne({ id: job.id, workerId: 'worker-a', now: T0 + 230, kind: 'completed', result: 'ok' });
      expect(await t.store.listAttempts(job.id)).toEqual([
        { attempt: 3, started: T0 + 200, ended: T0 + 230, workerId: 'worker-a', outcome: 'completed', error: null, errorStack: null },
        { attempt: 2, started: T0 + 100, ended: T0 + 120, workerId: 'worker-b', outcome: 'retry', error: 'second', errorStack: 'Error: second\n    at b' },
        { attempt: 1, started: T0, ended: T0 + 10, workerId: 'worker-a', outcome: 'retry', error: 'first', errorStack: 'Error: first\n    at a' },
      ]);
      // The job itself keeps the seed's meaning: the last run's error (none once it completed).
      expect(await mustGet(job.id)).toMatchObject({ status: 'completed', error: null, attempts: 3 });
    });

    it('records a failed, a cancelled, a snoozed and a released run, and nothing for a late worker', async () => {
      const [failed, cancelled, snoozed, released] = await t.store.insertMany([newJob(), newJob(), newJob(), newJob()]);
      for (const job of [failed, cancelled, snoozed, released]) await claimJob(job.id);
      const applied = await t.store.finish([
        { id: failed.id, workerId: 'w1', now: T0 + 1, kind: 'failed', error: 'boom', errorStack: 'Error: boom' },
        { id: cancelled.id, workerId: 'w1', now: T0 + 2, kind: 'cancelled', error: 'cancelled by request' },
        { id: snoozed.id, workerId: 'w1', now: T0 + 3, kind: 'snoozed', runAt: T0 + 1_000 },
        { id: released.id, workerId: 'w1', now: T0 + 4, kind: 'released' },
        { id: failed.id, workerId: 'w1', now: T0 + 5, kind: 'completed', result: 'too late' },
      ]);
      expect(applied.map((outcome) => outcome.id)).toEqual([failed.id, cancelled.id, snoozed.id, released.id]);
      const last = async (id: number) => (await t.store.listAttempts(id)).map(({ outcome, error, ended }) => ({ outcome, error, ended }));
      expect(await last(failed.id)).toEqual([{ outcome: 'failed', error: 'boom', ended: T0 + 1 }]);
      expect(await last(cancelled.id)).toEqual([{ outcome: 'cancelled', error: 'cancelled by request', ended: T0 + 2 }]);
      expect(await last(snoozed.id)).toEqual([{ outcome: 'snoozed', error: null, ended: T0 + 3 }]);
      expect(await last(released.id)).toEqual([{ outcome: 'released', error: null, ended: T0 + 4 }]);
      const other = await t.store.insert(newJob());
      await claimJob(other.id, T0, 'w2');
      expect(await t.store.finish([{ id: other.id, workerId: 'w1', now: T0 + 1, kind: 'completed', result: null }])).toEqual([]);
      expect(await t.store.listAttempts(other.id)).toEqual([]);
    });

    it('records every completion of a batch', async () => {
      const jobs = await t.store.insertMany(Array.from({ length: 5 }, () => newJob()));
      expect(await t.store.claim(claimOptions({ limit: 5 }))).toHaveLength(5);
      await t.store.finish(jobs.map((job, i) => ({ id: job.id, workerId: 'w1', now: T0 + i, kind: 'completed' as const, result: i })));
      for (const [i, job] of jobs.entries()) {
        expect(await t.store.listAttempts(job.id)).toEqual([
          { attempt: 1, started: T0, ended: T0 + i, workerId: 'w1', outcome: 'completed', error: null, errorStack: null },
        ]);
      }
    });

    it('a lease that ran out records the attempt as lost, on the worker that held it', async () => {
      const job = await t.store.insert(newJob({ maxAttempts: 2 }));
      await claimJob(job.id, T0, 'crashed-worker');
      expect(await t.store.recoverExpired(T0 + LEASE)).toBe(1);
      await claimJob(job.id, T0 + LEASE + 1, 'crashed-too');
      expect(await t.store.recoverExpired(T0 + 2 * LEASE + 1)).toBe(1);
      expect((await mustGet(job.id)).status).toBe('error');
      expect(await t.store.listAttempts(job.id)).toEqual([
        { attempt: 2, started: T0 + LEASE + 1, ended: T0 + 2 * LEASE + 1, workerId: 'crashed-too', outcome: 'lost', error: LOST_ATTEMPT_ERROR, errorStack: null },
        { attempt: 1, started: T0, ended: T0 + LEASE, workerId: 'crashed-worker', outcome: 'lost', error: LOST_ATTEMPT_ERROR, errorStack: null },
      ]);
    });

    it('keeps the history when the job is retried; it goes with the job when cleaned', async () => {
      const job = await t.store.insert(newJob({ maxAttempts: 1 }));
      await claimJob(job.id);
      await finishOne({ id: job.id, workerId: 'w1', now: T0 + 1, kind: 'failed', error: 'boom', errorStack: null });
      await t.store.retry(job.id);
      await claimJob(job.id, T0 + 10);
      await finishOne({ id: job.id, workerId: 'w1', now: T0 + 11, kind: 'completed', result: null });
      expect((await t.store.listAttempts(job.id)).map((a) => [a.attempt, a.outcome])).toEqual([[1, 'completed'], [1, 'failed']]);
      expect(await t.store.clean(SERVICE, ['completed'])).toBe(1);
      expect(await t.store.listAttempts(job.id)).toEqual([]);
      expect(await t.store.listAttempts(987_654_321)).toEqual([]);
    });

    it(`a job completed after ${ATTEMPTS_KEPT + 5} retries lists its completion and the newest runs before it, ${ATTEMPTS_KEPT} in all`, async () => {
      const runs = ATTEMPTS_KEPT + 5;
      const job = await t.store.insert(newJob({ maxAttempts: runs + 1 }));
      for (let run = 1; run <= runs; run++) {
        await claimJob(job.id, T0 + run * 100, 'w1');
        await finishOne({ id: job.id, workerId: 'w1', now: T0 + run * 100 + 1, kind: 'retry', error: `run ${run}`, errorStack: null, runAt: T0 + (run + 1) * 100 });
      }
      await claimJob(job.id, T0 + (runs + 1) * 100, 'w2');
      await finishOne({ id: job.id, workerId: 'w2', now: T0 + (runs + 1) * 100 + 7, kind: 'completed', result: 'at last' });
      const history = await t.store.listAttempts(job.id);
      expect(history).toHaveLength(ATTEMPTS_KEPT);
      expect(history[0]).toEqual({ attempt: runs + 1, started: T0 + (runs + 1) * 100, ended: T0 + (runs + 1) * 100 + 7, workerId: 'w2', outcome: 'completed', error: null, errorStack: null });
      expect(history.slice(1).map((a) => a.error)).toEqual(Array.from({ length: ATTEMPTS_KEPT - 1 }, (_, i) => `run ${runs - i}`));
    });

    it('lists each completed run of a cron job (they do not end it), newest first', async () => {
      const cron = await t.store.insert(cronJob({ runAt: T0 }));
      for (let run = 1; run <= 3; run++) {
        const now = T0 + run * 60_000;
        await t.store.reschedule(cron.id, now);
        await claimJob(cron.id, now, `w${run}`);
        await finishOne({ id: cron.id, workerId: `w${run}`, now: now + 1, kind: 'completed', result: run });
      }
      expect((await t.store.listAttempts(cron.id)).map((a) => [a.workerId, a.outcome, a.ended])).toEqual(
        [3, 2, 1].map((run) => [`w${run}`, 'completed', T0 + run * 60_000 + 1]),
      );
      expect((await mustGet(cron.id)).status).toBe('cronjob');
    });

    it(`keeps the newest ${ATTEMPTS_KEPT} runs of a cron job, each error and stack capped`, async () => {
      const cron = await t.store.insert(cronJob({ runAt: T0 }));
      const runs = ATTEMPTS_KEPT + 5;
      const huge = (run: number, size: number) => `${run}:`.padEnd(size + 100, 'x');
      for (let run = 1; run <= runs; run++) {
        const now = T0 + run * 60_000;
        await t.store.reschedule(cron.id, now);
        await claimJob(cron.id, now);
        await finishOne({ id: cron.id, workerId: 'w1', now: now + 1, kind: 'failed', error: huge(run, ATTEMPT_ERROR_CHARS), errorStack: huge(run, ATTEMPT_STACK_CHARS) });
      }
      const history = await t.store.listAttempts(cron.id);
      expect(history).toHaveLength(ATTEMPTS_KEPT);
      expect(history.map((a) => a.ended)).toEqual(Array.from({ length: ATTEMPTS_KEPT }, (_, i) => T0 + (runs - i) * 60_000 + 1));
      for (const [i, attempt] of history.entries()) {
        expect(attempt.error).toBe(huge(runs - i, ATTEMPT_ERROR_CHARS).slice(0, ATTEMPT_ERROR_CHARS));
        expect(attempt.errorStack).toHaveLength(ATTEMPT_STACK_CHARS);
        expect(attempt).toMatchObject({ attempt: 1, outcome: 'failed' });
      }
      // The job keeps its own last error as the task gave it.
      expect((await mustGet(cron.id)).error).toBe(huge(runs, ATTEMPT_ERROR_CHARS));
    });
  });
}
