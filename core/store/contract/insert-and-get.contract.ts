import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../jobs/job.js';
import type { NewJob } from '../job-store.js';
import type { ContractContext } from './contract-context.contract.js';
import { T0, SERVICE, OTHER, newJob, cronJob, delayedJob, claimOptions } from './fixtures.contract.js';

/** The contract of insert and get. */
export function insertAndGetContract(t: ContractContext): void {
  const { mustGet, runningJob } = t;
  describe('insert and get', () => {
    it('round-trips every field of a new job', async () => {
      const input = {
        text: 'Grüße, 日本語, emoji 🎉',
        nested: { list: [1, 2.5, -3, true, false, null], deep: { deeper: { deepest: 'ok' } } },
        empty: {},
        none: null,
      };
      const expected: JobRecord = {
        id: expect.any(Number) as unknown as number,
        service: SERVICE,
        task: 'video-convert',
        input,
        status: 'queued',
        result: null,
        error: null,
        errorStack: null,
        attempts: 0,
        maxAttempts: 5,
        created: T0 + 7,
        started: null,
        completed: null,
        runAt: 0,
        schedule: null,
        progress: null,
        progressMessage: null,
        timeout: 90_000,
        priority: 0,
        key: null,
        lockedBy: null,
        lockedUntil: null,
        cancelRequested: false,
        gate: null,
        batchId: null,
      };
      const inserted = await t.store.insert(
        newJob({ task: 'video-convert', input, maxAttempts: 5, created: T0 + 7, timeout: 90_000 }),
      );
      expect(inserted).toEqual(expected);
      expect(Number.isSafeInteger(inserted.id)).toBe(true);
      expect(await t.store.get(inserted.id)).toEqual({ ...expected, id: inserted.id });
    });

    it('round-trips each kind of schedule and status', async () => {
      const jobs: NewJob[] = [
        cronJob({ schedule: { minute: [10, 13], hour: [2], dayOfMonth: [1, 12], month: [1, 5, 12], dayOfWeek: [0, 4] } }),
        cronJob({ schedule: { cron: '*/5 * * * *', tz: 'Europe/Zürich' } }),
        delayedJob({ schedule: { delay: 10 } }),
        newJob({ status: 'start later', input: ['a', 'b'] }),
        newJob({ input: 'just a string' }),
        newJob({ input: 42 }),
      ];
      for (const job of jobs) {
        const inserted = await t.store.insert(job);
        const stored = await mustGet(inserted.id);
        expect(stored).toEqual(inserted);
        expect(stored.status).toBe(job.status);
        expect(stored.schedule).toEqual(job.schedule);
        expect(stored.input).toEqual(job.input);
        expect(stored.runAt).toBe(job.runAt);
      }
    });

    it("stores a job's own time limit, and null when none is given", async () => {
      const limited = await t.store.insert(newJob({ timeout: 1_500 }));
      const notGiven = await t.store.insert(newJob());
      const givenNull = await t.store.insert(newJob({ timeout: null }));
      const cron = await t.store.insert(cronJob({ timeout: 3_600_000 }));
      expect([limited, notGiven, givenNull, cron].map((job) => job.timeout)).toEqual([1_500, null, null, 3_600_000]);
      for (const job of [limited, notGiven, givenNull, cron]) expect(await t.store.get(job.id)).toEqual(job);
    });

    it('insertMany stores each job its own time limit', async () => {
      const jobs = await t.store.insertMany([
        newJob({ timeout: 5_000 }),
        newJob(),
        newJob({ timeout: null }),
        cronJob({ timeout: 60_000 }),
        delayedJob({ timeout: 1 }),
      ]);
      expect(jobs.map((job) => job.timeout)).toEqual([5_000, null, null, 60_000, 1]);
      for (const job of jobs) expect(await t.store.get(job.id)).toEqual(job);
    });

    it('keeps the time limit through claim, finish, retry and listing', async () => {
      const [queued, cron] = await t.store.insertMany([newJob({ timeout: 2_500 }), cronJob({ timeout: 7_000, runAt: T0 })]);
      const claimed = await t.store.claim(claimOptions({ limit: 10 }));
      expect(claimed.map((job) => [job.id, job.timeout])).toEqual([
        [queued.id, 2_500],
        [cron.id, 7_000],
      ]);
      await t.store.finish([
        { id: queued.id, workerId: 'w1', now: T0 + 1, kind: 'retry', error: 'again', errorStack: null, runAt: T0 + 2 },
        { id: cron.id, workerId: 'w1', now: T0 + 1, kind: 'completed', result: 1 },
      ]);
      expect((await mustGet(queued.id)).timeout).toBe(2_500);
      expect((await mustGet(cron.id)).timeout).toBe(7_000);
      expect((await t.store.list({ service: SERVICE })).jobs.map((job) => job.timeout)).toEqual([2_500, 7_000]);
    });

    it('stores an undefined input as null', async () => {
      const inserted = await t.store.insert(newJob({ input: undefined }));
      expect((await mustGet(inserted.id)).input).toBeNull();
    });

    it('keeps its own copy: changing the inserted input or a returned record changes nothing', async () => {
      const input = { list: [1, 2], nested: { a: 1 } };
      const inserted = await t.store.insert(newJob({ input, schedule: null }));
      input.list.push(3);
      input.nested.a = 2;
      (inserted.input as typeof input).list.push(4);
      const fetched = await mustGet(inserted.id);
      (fetched.input as typeof input).nested.a = 3;
      expect((await mustGet(inserted.id)).input).toEqual({ list: [1, 2], nested: { a: 1 } });
    });

    it('insertMany returns the records in the order given, each as get returns it', async () => {
      const jobs = [newJob({ task: 'a' }), newJob({ service: OTHER, task: 'b' }), cronJob({ task: 'c' }), newJob({ task: 'd', status: 'start later' })];
      const inserted = await t.store.insertMany(jobs);
      expect(inserted.map((job) => [job.service, job.task, job.status])).toEqual(
        jobs.map((job) => [job.service, job.task, job.status]),
      );
      for (const job of inserted) expect(await t.store.get(job.id)).toEqual(job);
      expect(await t.store.insertMany([])).toEqual([]);
    });

    it('gives unique, increasing integer ids across services and calls', async () => {
      const ids: number[] = [];
      ids.push((await t.store.insert(newJob())).id);
      ids.push((await t.store.insert(newJob({ service: OTHER }))).id);
      ids.push(...(await t.store.insertMany([newJob({ service: OTHER }), newJob(), newJob()])).map((job) => job.id));
      ids.push((await t.store.insert(newJob())).id);
      for (const id of ids) expect(Number.isSafeInteger(id)).toBe(true);
      for (let index = 1; index < ids.length; index += 1) expect(ids[index]).toBeGreaterThan(ids[index - 1]);
    });

    it('never hands out the id of a cleaned job again', async () => {
      const job = await runningJob();
      await t.store.finish([{ id: job.id, workerId: 'w1', now: T0, kind: 'completed', result: 1 }]);
      expect(await t.store.clean(SERVICE, ['completed'])).toBe(1);
      const next = await t.store.insert(newJob());
      expect(next.id).toBeGreaterThan(job.id);
    });

    it('returns undefined for an unknown id', async () => {
      expect(await t.store.get(987_654_321)).toBeUndefined();
    });
  });
}
