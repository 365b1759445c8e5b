import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOB_STATUSES, type JobRecord, type JobStatus, type Schedule } from '../jobs/job.js';
import type { ClaimOptions, JobOutcome, JobQuery, JobSortKey, JobStore, NewJob } from './job-store.js';
import { InvalidCursorError } from './job-listing.js';

/**
 * The one suite every JobStore runs. It pins the semantics the task services rely upon, so that
 * memory, SQLite and PostgreSQL behave alike. Notes for implementers:
 * - `makeStore` returns an open store with no jobs in it; `dispose` (default: close) ends it.
 * - `reopen`, for durable stores, closes the store and opens it again on the same data.
 * - Strings sort by code point (SQLite's BINARY); PostgreSQL needs `COLLATE "C"` on task and status.
 * - In listings a null (`started`, `completed`) sorts after every value; `-key` is the exact reverse.
 * - Only `recoverExpired` takes a lease back: `claim` never takes a leased job, expired or not.
 * - A cancel requested while a job ran wins over an outcome that would make it wait again
 *   (retry, release, a cron job's next occurrence, a lost lease): the job ends `cancelled`.
 */
export interface JobStoreContractOptions {
  reopen?: (store: JobStore) => Promise<JobStore>;
}

const T0 = 1_700_000_000_000;
const SERVICE = 'site1@TestTaskService1';
const OTHER = '@RootTaskService';
const LEASE = 30_000;
const LOST = 'the worker running this job was lost (its lease expired) and no attempt is left';
/** Stands in for the cron module: the next occurrence is always a minute later. */
const everyMinute = (_schedule: Schedule, now: number) => now + 60_000;

function newJob(overrides: Partial<NewJob> = {}): NewJob {
  return {
    service: SERVICE,
    task: 'echo',
    input: { foo: 'bar' },
    status: 'queued',
    maxAttempts: 3,
    created: T0,
    runAt: 0,
    schedule: null,
    ...overrides,
  };
}

function cronJob(overrides: Partial<NewJob> = {}): NewJob {
  return newJob({ status: 'cronjob', runAt: T0 + 600_000, schedule: { minute: [10, 13] }, ...overrides });
}

function delayedJob(overrides: Partial<NewJob> = {}): NewJob {
  return newJob({ status: 'delayed', runAt: T0 + 10_000, schedule: { delay: 10 }, ...overrides });
}

function claimOptions(overrides: Partial<ClaimOptions> = {}): ClaimOptions {
  return { service: SERVICE, now: T0, workerId: 'w1', leaseMs: LEASE, nextRunAt: everyMinute, ...overrides };
}

function bounded<T>(promise: Promise<T>, message: string, ms = 2_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function describeJobStoreContract(
  name: string,
  makeStore: () => Promise<JobStore>,
  dispose: (store: JobStore) => Promise<void> = (store) => store.close(),
  options: JobStoreContractOptions = {},
): void {
  describe(`JobStore contract: ${name}`, () => {
    let store: JobStore;

    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await dispose(store);
    });

    async function mustGet(id: number): Promise<JobRecord> {
      const job = await store.get(id);
      if (!job) throw new Error(`job ${id} is missing`);
      return job;
    }

    /** Claims exactly this job (it must be due) and returns its record. */
    async function claimJob(id: number, now = T0, workerId = 'w1', service = SERVICE): Promise<JobRecord> {
      const claimed = await store.claim(claimOptions({ jobId: id, now, workerId, service }));
      expect(claimed.map((job) => job.id)).toEqual([id]);
      return claimed[0];
    }

    /** Applies one outcome, which must be applied with the status the job is then found in. */
    async function finishOne(outcome: JobOutcome): Promise<JobRecord> {
      const applied = await store.finish([outcome]);
      const job = await mustGet(outcome.id);
      expect(applied).toEqual([{ id: outcome.id, status: job.status }]);
      return job;
    }

    /** A running job: inserted, then claimed by w1 at T0. */
    async function runningJob(overrides: Partial<NewJob> = {}): Promise<JobRecord> {
      const job = await store.insert(newJob(overrides));
      return claimJob(job.id);
    }

    /** A cron job due at T0 + 10 min, claimed by w1 then; its runAt is now T0 + 11 min. */
    async function runningCronJob(overrides: Partial<NewJob> = {}): Promise<JobRecord> {
      const job = await store.insert(cronJob(overrides));
      return claimJob(job.id, T0 + 600_000);
    }

    function watchWakes(service: string) {
      let calls = 0;
      let waiters: (() => void)[] = [];
      const stop = store.onWake(service, () => {
        calls += 1;
        const woken = waiters;
        waiters = [];
        for (const wake of woken) wake();
      });
      return {
        get calls() {
          return calls;
        },
        /** Call before the action: resolves at the next wake-up, fails after a bounded wait. */
        next(what: string): Promise<void> {
          return bounded(new Promise<void>((resolve) => waiters.push(resolve)), `${service} was not woken after ${what}`);
        },
        stop,
      };
    }

    let barriers = 0;
    /** Wake-ups arrive in order: once a fresh service's wake-up arrived, every earlier one has too. */
    async function settleWakes(): Promise<void> {
      const barrier = `barrier${++barriers}@Wakes`;
      const wakes = watchWakes(barrier);
      const woken = wakes.next('the barrier insert');
      await store.insert(newJob({ service: barrier }));
      await woken;
      wakes.stop();
    }

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
          lockedBy: null,
          lockedUntil: null,
          cancelRequested: false,
        };
        const inserted = await store.insert(
          newJob({ task: 'video-convert', input, maxAttempts: 5, created: T0 + 7, timeout: 90_000 }),
        );
        expect(inserted).toEqual(expected);
        expect(Number.isSafeInteger(inserted.id)).toBe(true);
        expect(await store.get(inserted.id)).toEqual({ ...expected, id: inserted.id });
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
          const inserted = await store.insert(job);
          const stored = await mustGet(inserted.id);
          expect(stored).toEqual(inserted);
          expect(stored.status).toBe(job.status);
          expect(stored.schedule).toEqual(job.schedule);
          expect(stored.input).toEqual(job.input);
          expect(stored.runAt).toBe(job.runAt);
        }
      });

      it("stores a job's own time limit, and null when none is given", async () => {
        const limited = await store.insert(newJob({ timeout: 1_500 }));
        const notGiven = await store.insert(newJob());
        const givenNull = await store.insert(newJob({ timeout: null }));
        const cron = await store.insert(cronJob({ timeout: 3_600_000 }));
        expect([limited, notGiven, givenNull, cron].map((job) => job.timeout)).toEqual([1_500, null, null, 3_600_000]);
        for (const job of [limited, notGiven, givenNull, cron]) expect(await store.get(job.id)).toEqual(job);
      });

      it('insertMany stores each job its own time limit', async () => {
        const jobs = await store.insertMany([
          newJob({ timeout: 5_000 }),
          newJob(),
          newJob({ timeout: null }),
          cronJob({ timeout: 60_000 }),
          delayedJob({ timeout: 1 }),
        ]);
        expect(jobs.map((job) => job.timeout)).toEqual([5_000, null, null, 60_000, 1]);
        for (const job of jobs) expect(await store.get(job.id)).toEqual(job);
      });

      it('keeps the time limit through claim, finish, retry and listing', async () => {
        const [queued, cron] = await store.insertMany([newJob({ timeout: 2_500 }), cronJob({ timeout: 7_000, runAt: T0 })]);
        const claimed = await store.claim(claimOptions({ limit: 10 }));
        expect(claimed.map((job) => [job.id, job.timeout])).toEqual([
          [queued.id, 2_500],
          [cron.id, 7_000],
        ]);
        await store.finish([
          { id: queued.id, workerId: 'w1', now: T0 + 1, kind: 'retry', error: 'again', errorStack: null, runAt: T0 + 2 },
          { id: cron.id, workerId: 'w1', now: T0 + 1, kind: 'completed', result: 1 },
        ]);
        expect((await mustGet(queued.id)).timeout).toBe(2_500);
        expect((await mustGet(cron.id)).timeout).toBe(7_000);
        expect((await store.list({ service: SERVICE })).jobs.map((job) => job.timeout)).toEqual([2_500, 7_000]);
      });

      it('stores an undefined input as null', async () => {
        const inserted = await store.insert(newJob({ input: undefined }));
        expect((await mustGet(inserted.id)).input).toBeNull();
      });

      it('keeps its own copy: changing the inserted input or a returned record changes nothing', async () => {
        const input = { list: [1, 2], nested: { a: 1 } };
        const inserted = await store.insert(newJob({ input, schedule: null }));
        input.list.push(3);
        input.nested.a = 2;
        (inserted.input as typeof input).list.push(4);
        const fetched = await mustGet(inserted.id);
        (fetched.input as typeof input).nested.a = 3;
        expect((await mustGet(inserted.id)).input).toEqual({ list: [1, 2], nested: { a: 1 } });
      });

      it('insertMany returns the records in the order given, each as get returns it', async () => {
        const jobs = [newJob({ task: 'a' }), newJob({ service: OTHER, task: 'b' }), cronJob({ task: 'c' }), newJob({ task: 'd', status: 'start later' })];
        const inserted = await store.insertMany(jobs);
        expect(inserted.map((job) => [job.service, job.task, job.status])).toEqual(
          jobs.map((job) => [job.service, job.task, job.status]),
        );
        for (const job of inserted) expect(await store.get(job.id)).toEqual(job);
        expect(await store.insertMany([])).toEqual([]);
      });

      it('gives unique, increasing integer ids across services and calls', async () => {
        const ids: number[] = [];
        ids.push((await store.insert(newJob())).id);
        ids.push((await store.insert(newJob({ service: OTHER }))).id);
        ids.push(...(await store.insertMany([newJob({ service: OTHER }), newJob(), newJob()])).map((job) => job.id));
        ids.push((await store.insert(newJob())).id);
        for (const id of ids) expect(Number.isSafeInteger(id)).toBe(true);
        for (let index = 1; index < ids.length; index += 1) expect(ids[index]).toBeGreaterThan(ids[index - 1]);
      });

      it('never hands out the id of a cleaned job again', async () => {
        const job = await runningJob();
        await store.finish([{ id: job.id, workerId: 'w1', now: T0, kind: 'completed', result: 1 }]);
        expect(await store.clean(SERVICE, ['completed'])).toBe(1);
        const next = await store.insert(newJob());
        expect(next.id).toBeGreaterThan(job.id);
      });

      it('returns undefined for an unknown id', async () => {
        expect(await store.get(987_654_321)).toBeUndefined();
      });
    });

    describe('claim', () => {
      it('takes only due jobs of the service', async () => {
        const due = await store.insert(newJob());
        await store.insert(newJob({ service: OTHER }));
        await store.insert(delayedJob({ runAt: T0 + 1 }));
        await store.insert(cronJob({ runAt: T0 + 1 }));
        await store.insert(newJob({ status: 'start later' }));
        const claimed = await store.claim(claimOptions({ limit: 10 }));
        expect(claimed.map((job) => job.id)).toEqual([due.id]);
      });

      it('takes jobs in runAt order, then by id', async () => {
        const first = await store.insert(delayedJob({ runAt: T0 - 100 }));
        const second = await store.insert(newJob({ runAt: 0 }));
        const third = await store.insert(delayedJob({ runAt: T0 - 100 }));
        const fourth = await store.insert(cronJob({ runAt: T0 - 200 }));
        const fifth = await store.insert(newJob({ runAt: T0 }));
        const claimed = await store.claim(claimOptions({ limit: 10 }));
        expect(claimed.map((job) => job.id)).toEqual([second.id, fourth.id, first.id, third.id, fifth.id]);
      });

      it('with a limit, takes the earliest due jobs, not the oldest ids', async () => {
        const [late, early, middle] = await store.insertMany([
          delayedJob({ runAt: T0 - 10 }),
          delayedJob({ runAt: T0 - 30 }),
          delayedJob({ runAt: T0 - 20 }),
        ]);
        expect((await store.claim(claimOptions({ limit: 2 }))).map((job) => job.id)).toEqual([early.id, middle.id]);
        expect((await store.claim(claimOptions({ limit: 2 }))).map((job) => job.id)).toEqual([late.id]);
      });

      it('takes at most limit jobs, one by default', async () => {
        const ids = (await store.insertMany([newJob(), newJob(), newJob(), newJob(), newJob()])).map((job) => job.id);
        expect((await store.claim(claimOptions({ limit: 2 }))).map((job) => job.id)).toEqual(ids.slice(0, 2));
        expect((await store.claim(claimOptions())).map((job) => job.id)).toEqual(ids.slice(2, 3));
        expect((await store.claim(claimOptions({ limit: 5 }))).map((job) => job.id)).toEqual(ids.slice(3));
        expect(await store.claim(claimOptions({ limit: 5 }))).toEqual([]);
      });

      it('with jobId takes just that job, and only when it is due, waiting and of the service', async () => {
        const [older, wanted] = await store.insertMany([newJob(), newJob()]);
        const later = await store.insert(delayedJob({ runAt: T0 + 5_000 }));
        const elsewhere = await store.insert(newJob({ service: OTHER }));
        expect(await store.claim(claimOptions({ jobId: later.id, limit: 10 }))).toEqual([]);
        expect(await store.claim(claimOptions({ jobId: elsewhere.id }))).toEqual([]);
        expect(await store.claim(claimOptions({ jobId: 987_654_321 }))).toEqual([]);
        expect((await store.claim(claimOptions({ jobId: wanted.id, limit: 10 }))).map((job) => job.id)).toEqual([wanted.id]);
        expect(await store.claim(claimOptions({ jobId: wanted.id }))).toEqual([]);
        expect((await mustGet(older.id)).status).toBe('queued');
        expect((await store.claim(claimOptions({ jobId: later.id, now: T0 + 5_000 }))).map((job) => job.id)).toEqual([later.id]);
      });

      it('leases a queued or delayed job as processing', async () => {
        const queued = await store.insert(newJob());
        const delayed = await store.insert(delayedJob({ runAt: T0 - 1 }));
        const claimed = await store.claim(claimOptions({ now: T0 + 5, workerId: 'worker-7', leaseMs: 1_234, limit: 2 }));
        expect(claimed.map((job) => job.id)).toEqual([queued.id, delayed.id]);
        for (const job of claimed) {
          expect(job).toMatchObject({
            status: 'processing',
            started: T0 + 5,
            attempts: 1,
            lockedBy: 'worker-7',
            lockedUntil: T0 + 5 + 1_234,
            completed: null,
          });
          expect(await store.get(job.id)).toEqual(job);
        }
        expect(claimed[1].runAt).toBe(T0 - 1);
      });

      it('leases a cron job, which stays cronjob and moves to its next occurrence', async () => {
        const schedule = { minute: [10, 13] };
        const job = await store.insert(cronJob({ schedule, runAt: T0 + 600_000 }));
        const seen: [Schedule, number][] = [];
        const claimed = await store.claim(
          claimOptions({
            now: T0 + 600_003,
            nextRunAt: (given, now) => {
              seen.push([given, now]);
              return now + 180_000;
            },
          }),
        );
        expect(seen).toEqual([[schedule, T0 + 600_003]]);
        expect(claimed).toHaveLength(1);
        expect(claimed[0]).toMatchObject({
          id: job.id,
          status: 'cronjob',
          attempts: 1,
          started: T0 + 600_003,
          lockedBy: 'w1',
          lockedUntil: T0 + 600_003 + LEASE,
          runAt: T0 + 780_003,
        });
        expect(await store.get(job.id)).toEqual(claimed[0]);
      });

      it('claims one cron occurrence once: a leased cron job is not claimable even when due again', async () => {
        const job = await runningCronJob();
        expect(job.runAt).toBe(T0 + 660_000);
        expect(await store.claim(claimOptions({ now: T0 + 600_000, workerId: 'w2', limit: 10 }))).toEqual([]);
        expect(await store.claim(claimOptions({ now: T0 + 660_000, workerId: 'w2', limit: 10 }))).toEqual([]);
        await store.finish([{ id: job.id, workerId: 'w1', now: T0 + 601_000, kind: 'completed', result: 1 }]);
        expect(await store.claim(claimOptions({ now: T0 + 659_999, workerId: 'w2' }))).toEqual([]);
        const again = await store.claim(claimOptions({ now: T0 + 660_000, workerId: 'w2' }));
        expect(again.map((claimed) => [claimed.id, claimed.attempts, claimed.runAt])).toEqual([[job.id, 1, T0 + 720_000]]);
      });

      it('parks a cron job with no next occurrence where it is never due', async () => {
        const job = await store.insert(cronJob({ runAt: T0 }));
        const [claimed] = await store.claim(claimOptions({ nextRunAt: () => null }));
        expect(claimed.runAt).toBe(Number.MAX_SAFE_INTEGER);
        await store.finish([{ id: job.id, workerId: 'w1', now: T0 + 1, kind: 'completed', result: null }]);
        expect(await store.claim(claimOptions({ now: Number.MAX_SAFE_INTEGER - 1, limit: 10 }))).toEqual([]);
        expect(await store.hasWaiting(SERVICE, Number.MAX_SAFE_INTEGER - 1)).toBe(false);
      });

      it('never takes a start-later, final or leased job', async () => {
        await store.insert(newJob({ status: 'start later' }));
        const completed = await runningJob();
        const failed = await runningJob();
        const cancelled = await store.insert(newJob());
        const running = await runningJob();
        await store.finish([
          { id: completed.id, workerId: 'w1', now: T0, kind: 'completed', result: 1 },
          { id: failed.id, workerId: 'w1', now: T0, kind: 'failed', error: 'boom', errorStack: null },
        ]);
        await store.cancel(cancelled.id, T0);
        expect((await mustGet(running.id)).status).toBe('processing');
        expect(await store.claim(claimOptions({ now: T0 + 10 * LEASE, workerId: 'w2', limit: 100 }))).toEqual([]);
      });

      it('does not take back an expired lease: only recoverExpired does', async () => {
        const job = await runningJob();
        const cron = await runningCronJob();
        const late = T0 + 10_000_000;
        expect(await store.claim(claimOptions({ now: late, workerId: 'w2', limit: 10 }))).toEqual([]);
        expect(await store.recoverExpired(late)).toBe(2);
        const claimed = await store.claim(claimOptions({ now: late, workerId: 'w2', limit: 10 }));
        expect(claimed.map((claimedJob) => claimedJob.id).sort((a, b) => a - b)).toEqual([job.id, cron.id]);
      });

      it('counts an attempt on every claim', async () => {
        const job = await runningJob();
        expect(job.attempts).toBe(1);
        await store.finish([{ id: job.id, workerId: 'w1', now: T0, kind: 'retry', error: 'again', errorStack: null, runAt: T0 + 1 }]);
        const [second] = await store.claim(claimOptions({ now: T0 + 1 }));
        expect(second.attempts).toBe(2);
      });

      it('clears the progress of an earlier run', async () => {
        const job = await runningJob();
        await store.setProgress(job.id, 'w1', 0.5, 'half way');
        await store.finish([{ id: job.id, workerId: 'w1', now: T0, kind: 'released' }]);
        const [again] = await store.claim(claimOptions({ now: T0 + 1 }));
        expect([again.progress, again.progressMessage]).toEqual([null, null]);
      });

      it('claims nothing when a cron schedule throws', async () => {
        const queued = await store.insert(newJob());
        const cron = await store.insert(cronJob({ runAt: T0 }));
        await expect(
          store.claim(
            claimOptions({
              limit: 10,
              nextRunAt: () => {
                throw new Error('bad schedule');
              },
            }),
          ),
        ).rejects.toThrow('bad schedule');
        expect((await mustGet(queued.id)).status).toBe('queued');
        expect((await mustGet(cron.id)).lockedBy).toBeNull();
        expect((await store.claim(claimOptions({ limit: 10 }))).map((job) => job.id)).toEqual([queued.id, cron.id]);
      });

      it('never hands the same job to two concurrent claims', async () => {
        const jobs = await store.insertMany(Array.from({ length: 30 }, () => newJob()));
        const batches = await Promise.all(
          Array.from({ length: 6 }, (_, index) => store.claim(claimOptions({ workerId: `w${index}`, limit: 8 }))),
        );
        const ids = batches.flat().map((job) => job.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.sort((a, b) => a - b)).toEqual(jobs.map((job) => job.id));
        for (const [index, batch] of batches.entries()) {
          for (const job of batch) expect((await mustGet(job.id)).lockedBy).toBe(`w${index}`);
        }
      });
    });

    describe('finish', () => {
      it('completed: the job is completed with its result, and unlocked', async () => {
        const job = await runningJob();
        await store.finish([{ id: job.id, workerId: 'w1', now: T0, kind: 'retry', error: 'flaky', errorStack: 'at x', runAt: T0 }]);
        await claimJob(job.id, T0 + 1);
        const done = await finishOne({ id: job.id, workerId: 'w1', now: T0 + 50, kind: 'completed', result: { out: ['ü', 1] } });
        expect(done).toMatchObject({
          status: 'completed',
          result: { out: ['ü', 1] },
          completed: T0 + 50,
          started: T0 + 1,
          attempts: 2,
          error: null,
          errorStack: null,
          lockedBy: null,
          lockedUntil: null,
        });
      });

      it('completed without a result stores null', async () => {
        const job = await runningJob();
        expect((await finishOne({ id: job.id, workerId: 'w1', now: T0, kind: 'completed', result: undefined })).result).toBeNull();
      });

      it('failed: the job is in error with the message and stack, and unlocked', async () => {
        const job = await runningJob();
        const failed = await finishOne({ id: job.id, workerId: 'w1', now: T0 + 9, kind: 'failed', error: 'An error occurred.', errorStack: 'TaskError: An error occurred.\n  at task' });
        expect(failed).toMatchObject({
          status: 'error',
          error: 'An error occurred.',
          errorStack: 'TaskError: An error occurred.\n  at task',
          completed: T0 + 9,
          result: null,
          attempts: 1,
          lockedBy: null,
          lockedUntil: null,
        });
      });

      it('retry: the job is queued again for the given time, with the error recorded', async () => {
        const job = await runningJob();
        const retried = await finishOne({ id: job.id, workerId: 'w1', now: T0 + 1, kind: 'retry', error: 'try again', errorStack: 'stack', runAt: T0 + 5_000 });
        expect(retried).toMatchObject({
          status: 'queued',
          runAt: T0 + 5_000,
          error: 'try again',
          errorStack: 'stack',
          attempts: 1,
          completed: null,
          lockedBy: null,
          lockedUntil: null,
        });
        expect(await store.claim(claimOptions({ now: T0 + 4_999 }))).toEqual([]);
        expect((await store.claim(claimOptions({ now: T0 + 5_000 }))).map((claimed) => claimed.id)).toEqual([job.id]);
      });

      it('cancelled: the job is cancelled with the error given, and unlocked', async () => {
        const first = await runningJob();
        const second = await runningJob();
        expect(await finishOne({ id: first.id, workerId: 'w1', now: T0 + 3, kind: 'cancelled', error: 'cancelled by the user' })).toMatchObject({
          status: 'cancelled',
          completed: T0 + 3,
          error: 'cancelled by the user',
          lockedBy: null,
          lockedUntil: null,
        });
        expect(await finishOne({ id: second.id, workerId: 'w1', now: T0 + 3, kind: 'cancelled', error: null })).toMatchObject({
          status: 'cancelled',
          error: null,
          lockedBy: null,
        });
      });

      it('released: the job is queued again at once, without spending the attempt', async () => {
        const job = await store.insert(delayedJob({ runAt: T0 - 10 }));
        await claimJob(job.id);
        const released = await finishOne({ id: job.id, workerId: 'w1', now: T0 + 2, kind: 'released' });
        expect(released).toMatchObject({ status: 'queued', runAt: 0, attempts: 0, lockedBy: null, lockedUntil: null, completed: null });
        expect((await store.claim(claimOptions({ now: T0 + 3, workerId: 'w2' }))).map((claimed) => [claimed.id, claimed.attempts])).toEqual([[job.id, 1]]);
      });

      it('a cron run that completed: stays cronjob with the last result, attempts reset, error cleared', async () => {
        const job = await runningCronJob();
        await store.finish([{ id: job.id, workerId: 'w1', now: T0 + 600_100, kind: 'failed', error: 'first run failed', errorStack: 's' }]);
        await claimJob(job.id, T0 + 660_000);
        const done = await finishOne({ id: job.id, workerId: 'w1', now: T0 + 660_500, kind: 'completed', result: 2 });
        expect(done).toMatchObject({
          status: 'cronjob',
          result: 2,
          completed: T0 + 660_500,
          attempts: 0,
          error: null,
          errorStack: null,
          lockedBy: null,
          lockedUntil: null,
          runAt: T0 + 720_000,
        });
      });

      it('a cron run that failed: stays cronjob with the error, attempts reset, the last result kept', async () => {
        const job = await runningCronJob();
        await store.finish([{ id: job.id, workerId: 'w1', now: T0 + 600_100, kind: 'completed', result: 'first' }]);
        await claimJob(job.id, T0 + 660_000);
        const failed = await finishOne({ id: job.id, workerId: 'w1', now: T0 + 660_100, kind: 'failed', error: 'boom', errorStack: 'at boom' });
        expect(failed).toMatchObject({
          status: 'cronjob',
          error: 'boom',
          errorStack: 'at boom',
          result: 'first',
          completed: T0 + 660_100,
          attempts: 0,
          lockedBy: null,
          lockedUntil: null,
          runAt: T0 + 720_000,
        });
      });

      it('a cron run released: unlocked and due at once, without spending the attempt', async () => {
        const job = await runningCronJob();
        const released = await finishOne({ id: job.id, workerId: 'w1', now: T0 + 600_500, kind: 'released' });
        expect(released).toMatchObject({ status: 'cronjob', attempts: 0, runAt: T0 + 600_500, lockedBy: null, lockedUntil: null });
        const again = await store.claim(claimOptions({ now: T0 + 600_500, workerId: 'w2' }));
        expect(again.map((claimed) => [claimed.id, claimed.attempts])).toEqual([[job.id, 1]]);
      });

      it('a cron run retried: stays cronjob, due at the retry time unless its next occurrence comes first', async () => {
        const sooner = await runningCronJob();
        const later = await runningCronJob();
        await store.finish([
          { id: sooner.id, workerId: 'w1', now: T0 + 600_100, kind: 'retry', error: 'again', errorStack: null, runAt: T0 + 605_000 },
          { id: later.id, workerId: 'w1', now: T0 + 600_100, kind: 'retry', error: 'again', errorStack: null, runAt: T0 + 700_000 },
        ]);
        expect(await mustGet(sooner.id)).toMatchObject({ status: 'cronjob', runAt: T0 + 605_000, error: 'again', attempts: 1, lockedBy: null });
        expect(await mustGet(later.id)).toMatchObject({ status: 'cronjob', runAt: T0 + 660_000, error: 'again', attempts: 1, lockedBy: null });
      });

      it('a cron run cancelled: the cron job is cancelled', async () => {
        const job = await runningCronJob();
        expect(await finishOne({ id: job.id, workerId: 'w1', now: T0 + 600_100, kind: 'cancelled', error: null })).toMatchObject({
          status: 'cancelled',
          completed: T0 + 600_100,
          lockedBy: null,
        });
      });

      it('applies several outcomes in one call and returns the ids applied', async () => {
        const jobs = await store.insertMany([newJob(), newJob(), newJob(), newJob(), newJob()]);
        await store.claim(claimOptions({ limit: 5 }));
        const [a, b, c, d, e] = jobs.map((job) => job.id);
        const applied = await store.finish([
          { id: a, workerId: 'w1', now: T0 + 1, kind: 'completed', result: 'a' },
          { id: b, workerId: 'w1', now: T0 + 1, kind: 'failed', error: 'b', errorStack: null },
          { id: c, workerId: 'w1', now: T0 + 1, kind: 'retry', error: 'c', errorStack: null, runAt: T0 + 9 },
          { id: d, workerId: 'w1', now: T0 + 1, kind: 'cancelled', error: null },
          { id: e, workerId: 'w1', now: T0 + 1, kind: 'released' },
        ]);
        expect(applied).toEqual([
          { id: a, status: 'completed' },
          { id: b, status: 'error' },
          { id: c, status: 'queued' },
          { id: d, status: 'cancelled' },
          { id: e, status: 'queued' },
        ]);
        const statuses = await Promise.all(jobs.map(async (job) => (await mustGet(job.id)).status));
        expect(statuses).toEqual(['completed', 'error', 'queued', 'cancelled', 'queued']);
        expect(await store.finish([])).toEqual([]);
      });

      it('ignores an outcome from a worker that does not hold the job', async () => {
        const held = await runningJob();
        const waiting = await store.insert(newJob({ task: 'waiting' }));
        const before = await mustGet(held.id);
        const applied = await store.finish([
          { id: held.id, workerId: 'intruder', now: T0 + 1, kind: 'completed', result: 'stolen' },
          { id: waiting.id, workerId: 'w1', now: T0 + 1, kind: 'completed', result: 'never ran' },
          { id: 987_654_321, workerId: 'w1', now: T0 + 1, kind: 'failed', error: 'x', errorStack: null },
        ]);
        expect(applied).toEqual([]);
        expect(await mustGet(held.id)).toEqual(before);
        expect((await mustGet(waiting.id)).status).toBe('queued');
      });

      it('ignores a second outcome for a run already finished', async () => {
        const job = await runningJob();
        const applied = await store.finish([
          { id: job.id, workerId: 'w1', now: T0 + 1, kind: 'completed', result: 'first' },
          { id: job.id, workerId: 'w1', now: T0 + 2, kind: 'failed', error: 'second', errorStack: null },
        ]);
        expect(applied).toEqual([{ id: job.id, status: 'completed' }]);
        expect(await store.finish([{ id: job.id, workerId: 'w1', now: T0 + 3, kind: 'released' }])).toEqual([]);
        expect(await mustGet(job.id)).toMatchObject({ status: 'completed', result: 'first', error: null, completed: T0 + 1 });
      });

      it('ignores the worker that lost its lease once another worker took the job over', async () => {
        const job = await runningJob();
        expect(await store.recoverExpired(T0 + LEASE)).toBe(1);
        await claimJob(job.id, T0 + LEASE + 1, 'w2');
        expect(await store.finish([{ id: job.id, workerId: 'w1', now: T0 + LEASE + 2, kind: 'completed', result: 'late' }])).toEqual([]);
        expect(await store.setProgress(job.id, 'w1', 0.9, 'late')).toBe(false);
        const done = await finishOne({ id: job.id, workerId: 'w2', now: T0 + LEASE + 3, kind: 'completed', result: 'w2' });
        expect(done).toMatchObject({ status: 'completed', result: 'w2', attempts: 2 });
      });

      it('still accepts the holder once its lease ran out, as long as nobody took the job over', async () => {
        const job = await runningJob();
        expect(await store.finish([{ id: job.id, workerId: 'w1', now: T0 + 10 * LEASE, kind: 'completed', result: 'late' }])).toEqual([
          { id: job.id, status: 'completed' },
        ]);
      });

      it('a cancel requested during the run wins over an outcome that would run the job again', async () => {
        const released = await runningJob();
        const retried = await runningJob();
        const completed = await runningJob();
        const cron = await runningCronJob();
        for (const job of [released, retried, completed, cron]) {
          expect((await store.cancel(job.id, T0 + 1))?.cancelRequested).toBe(true);
        }
        await store.finish([
          { id: released.id, workerId: 'w1', now: T0 + 2, kind: 'released' },
          { id: retried.id, workerId: 'w1', now: T0 + 2, kind: 'retry', error: 'again', errorStack: null, runAt: T0 + 3 },
          { id: completed.id, workerId: 'w1', now: T0 + 2, kind: 'completed', result: 'done anyway' },
          { id: cron.id, workerId: 'w1', now: T0 + 600_002, kind: 'completed', result: 'last run' },
        ]);
        expect(await mustGet(released.id)).toMatchObject({ status: 'cancelled', completed: T0 + 2, lockedBy: null });
        expect(await mustGet(retried.id)).toMatchObject({ status: 'cancelled', completed: T0 + 2, error: 'again' });
        expect(await mustGet(completed.id)).toMatchObject({ status: 'completed', result: 'done anyway' });
        expect(await mustGet(cron.id)).toMatchObject({ status: 'cancelled', result: 'last run', completed: T0 + 600_002 });
        expect(await store.claim(claimOptions({ now: T0 + 10_000_000, workerId: 'w2', limit: 10 }))).toEqual([]);
      });

      it('returns each applied outcome with the status the job was left in, one outcome at a time', async () => {
        const completed = await runningJob();
        const failed = await runningJob();
        const retried = await runningJob();
        const cron = await runningCronJob();
        const cancelledCron = await runningCronJob();
        expect((await store.cancel(cancelledCron.id, T0 + 600_001))?.cancelRequested).toBe(true);
        const now = T0 + 600_002;
        expect(await store.finish([{ id: completed.id, workerId: 'w1', now, kind: 'completed', result: 1 }])).toEqual([
          { id: completed.id, status: 'completed' },
        ]);
        expect(await store.finish([{ id: failed.id, workerId: 'w1', now, kind: 'failed', error: 'x', errorStack: null }])).toEqual([
          { id: failed.id, status: 'error' },
        ]);
        expect(
          await store.finish([{ id: retried.id, workerId: 'w1', now, kind: 'retry', error: 'x', errorStack: null, runAt: now + 5 }]),
        ).toEqual([{ id: retried.id, status: 'queued' }]);
        expect(await store.finish([{ id: cron.id, workerId: 'w1', now, kind: 'completed', result: 1 }])).toEqual([
          { id: cron.id, status: 'cronjob' },
        ]);
        // The cancel landed while the cron job ran: the completion leaves it cancelled, and says so.
        expect(await store.finish([{ id: cancelledCron.id, workerId: 'w1', now, kind: 'completed', result: 1 }])).toEqual([
          { id: cancelledCron.id, status: 'cancelled' },
        ]);
        const statuses = await Promise.all([completed, failed, retried, cron, cancelledCron].map(async (job) => (await mustGet(job.id)).status));
        expect(statuses).toEqual(['completed', 'error', 'queued', 'cronjob', 'cancelled']);
      });

      it('returns each applied outcome with the status the job was left in, for a batch of completions', async () => {
        const plain = await runningJob();
        const cron = await runningCronJob();
        const cancelledCron = await runningCronJob();
        const failedCron = await runningCronJob();
        const cancelledFailedCron = await runningCronJob();
        for (const job of [cancelledCron, cancelledFailedCron]) await store.cancel(job.id, T0 + 600_001);
        const now = T0 + 600_002;
        const applied = await store.finish([
          { id: cancelledCron.id, workerId: 'w1', now, kind: 'completed', result: 'c' },
          { id: plain.id, workerId: 'w1', now, kind: 'completed', result: 'p' },
          { id: 987_654_321, workerId: 'w1', now, kind: 'completed', result: 'unknown' },
          { id: cron.id, workerId: 'w1', now, kind: 'completed', result: 'r' },
          { id: failedCron.id, workerId: 'w1', now, kind: 'failed', error: 'x', errorStack: null },
          { id: cancelledFailedCron.id, workerId: 'w1', now, kind: 'failed', error: 'x', errorStack: null },
        ]);
        expect(applied).toEqual([
          { id: cancelledCron.id, status: 'cancelled' },
          { id: plain.id, status: 'completed' },
          { id: cron.id, status: 'cronjob' },
          { id: failedCron.id, status: 'cronjob' },
          { id: cancelledFailedCron.id, status: 'cancelled' },
        ]);
        for (const { id, status } of applied) expect((await mustGet(id)).status).toBe(status);
      });
    });

    describe('renewLeases', () => {
      it("extends only the caller's leases and returns the ids it still holds", async () => {
        const mine = await runningJob();
        const cron = await runningCronJob();
        const theirs = await store.insert(newJob());
        await claimJob(theirs.id, T0, 'w2');
        const done = await runningJob();
        await store.finish([{ id: done.id, workerId: 'w1', now: T0, kind: 'completed', result: null }]);
        const held = await store.renewLeases([mine.id, theirs.id, done.id, cron.id, 987_654_321], 'w1', T0 + 99_000);
        expect(held).toEqual([mine.id, cron.id]);
        expect((await mustGet(mine.id)).lockedUntil).toBe(T0 + 99_000);
        expect((await mustGet(cron.id)).lockedUntil).toBe(T0 + 99_000);
        expect((await mustGet(theirs.id)).lockedUntil).toBe(T0 + LEASE);
        expect((await mustGet(done.id)).lockedUntil).toBeNull();
        expect(await store.renewLeases([], 'w1', T0)).toEqual([]);
      });

      it('a renewed lease is not recovered at its old expiry', async () => {
        const job = await runningJob();
        await store.renewLeases([job.id], 'w1', T0 + 2 * LEASE);
        expect(await store.recoverExpired(T0 + LEASE)).toBe(0);
        expect((await mustGet(job.id)).status).toBe('processing');
        expect(await store.recoverExpired(T0 + 2 * LEASE)).toBe(1);
      });
    });

    describe('recoverExpired', () => {
      it('queues a job whose lease ended again, with its attempt counted', async () => {
        const job = await runningJob({ maxAttempts: 2 });
        expect(await store.recoverExpired(T0 + LEASE - 1)).toBe(0);
        expect((await mustGet(job.id)).status).toBe('processing');
        expect(await store.recoverExpired(T0 + LEASE)).toBe(1);
        expect(await mustGet(job.id)).toMatchObject({ status: 'queued', runAt: 0, attempts: 1, lockedBy: null, lockedUntil: null });
      });

      it('fails a job whose lease ended on its last attempt', async () => {
        const job = await runningJob({ maxAttempts: 1 });
        expect(await store.recoverExpired(T0 + LEASE + 5)).toBe(1);
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
        expect(await store.recoverExpired(T0 + 600_000 + LEASE)).toBe(1);
        expect(await mustGet(job.id)).toMatchObject({ status: 'cronjob', runAt: T0 + 660_000, lockedBy: null, lockedUntil: null });
        expect((await store.claim(claimOptions({ now: T0 + 660_000, workerId: 'w2' }))).map((claimed) => claimed.id)).toEqual([job.id]);
      });

      it('counts every job it touched and leaves unexpired leases alone', async () => {
        const expired = await runningJob();
        const last = await runningJob({ maxAttempts: 1 });
        const fresh = await store.insert(newJob());
        await claimJob(fresh.id, T0 + 1_000);
        const cron = await runningCronJob();
        expect(await store.recoverExpired(T0 + LEASE + 500)).toBe(2);
        expect((await mustGet(expired.id)).status).toBe('queued');
        expect((await mustGet(last.id)).status).toBe('error');
        expect(await mustGet(fresh.id)).toMatchObject({ status: 'processing', lockedBy: 'w1', lockedUntil: T0 + 1_000 + LEASE });
        expect(await mustGet(cron.id)).toMatchObject({ lockedBy: 'w1', lockedUntil: T0 + 600_000 + LEASE });
        expect(await store.recoverExpired(T0 + LEASE + 500)).toBe(0);
      });

      it('cancels a lost job whose cancel was requested instead of queueing it', async () => {
        const job = await runningJob();
        await store.cancel(job.id, T0 + 1);
        expect(await store.recoverExpired(T0 + LEASE)).toBe(1);
        expect(await mustGet(job.id)).toMatchObject({ status: 'cancelled', completed: T0 + LEASE, lockedBy: null });
      });
    });

    describe('start', () => {
      it('queues a start-later job', async () => {
        const job = await store.insert(newJob({ status: 'start later', runAt: T0 + 5 }));
        expect(await store.claim(claimOptions({ now: T0 + 10 }))).toEqual([]);
        expect(await store.start(job.id, T0)).toBe(true);
        expect(await mustGet(job.id)).toMatchObject({ status: 'queued', runAt: 0 });
        expect((await store.claim(claimOptions())).map((claimed) => claimed.id)).toEqual([job.id]);
      });

      it('refuses any job that is not start later', async () => {
        const queued = await store.insert(newJob());
        const running = await runningJob();
        const cron = await store.insert(cronJob());
        expect(await store.start(queued.id, T0)).toBe(false);
        expect(await store.start(running.id, T0)).toBe(false);
        expect(await store.start(cron.id, T0)).toBe(false);
        expect(await store.start(987_654_321, T0)).toBe(false);
        expect((await mustGet(running.id)).status).toBe('processing');
        expect((await mustGet(cron.id)).status).toBe('cronjob');
      });
    });

    describe('cancel', () => {
      it('cancels a waiting job at once', async () => {
        const jobs = await store.insertMany([newJob(), newJob({ status: 'start later' }), delayedJob(), cronJob()]);
        for (const job of jobs) {
          expect(await store.cancel(job.id, T0 + 3)).toMatchObject({ id: job.id, status: 'cancelled', completed: T0 + 3, cancelRequested: false });
          expect(await mustGet(job.id)).toMatchObject({ status: 'cancelled', completed: T0 + 3 });
        }
        expect(await store.claim(claimOptions({ now: T0 + 10_000_000, limit: 10 }))).toEqual([]);
      });

      it('only requests the cancel of a running job', async () => {
        const running = await runningJob();
        const cron = await runningCronJob();
        expect(await store.cancel(running.id, T0 + 3)).toMatchObject({ status: 'processing', cancelRequested: true, completed: null, lockedBy: 'w1' });
        expect(await store.cancel(cron.id, T0 + 3)).toMatchObject({ status: 'cronjob', cancelRequested: true, lockedBy: 'w1' });
        expect(await mustGet(running.id)).toMatchObject({ status: 'processing', cancelRequested: true });
      });

      it('leaves a final job as it is', async () => {
        const job = await runningJob();
        await store.finish([{ id: job.id, workerId: 'w1', now: T0 + 1, kind: 'completed', result: 'kept' }]);
        const before = await mustGet(job.id);
        expect(await store.cancel(job.id, T0 + 5)).toEqual(before);
        expect(await mustGet(job.id)).toEqual(before);
      });

      it('returns undefined for an unknown job', async () => {
        expect(await store.cancel(987_654_321, T0)).toBeUndefined();
      });
    });

    describe('cancelAll', () => {
      it("cancels every cancellable job of the service, flags its running ones, and leaves other services alone", async () => {
        const waiting = await store.insertMany([newJob(), newJob({ status: 'start later' }), delayedJob(), cronJob()]);
        const running = await runningJob();
        const done = await runningJob();
        await store.finish([{ id: done.id, workerId: 'w1', now: T0, kind: 'completed', result: 1 }]);
        const elsewhere = await store.insert(newJob({ service: OTHER }));
        expect(await store.cancelAll(SERVICE, T0 + 7)).toBe(5);
        for (const job of waiting) expect(await mustGet(job.id)).toMatchObject({ status: 'cancelled', completed: T0 + 7 });
        expect(await mustGet(running.id)).toMatchObject({ status: 'processing', cancelRequested: true });
        expect(await mustGet(done.id)).toMatchObject({ status: 'completed', completed: T0 });
        expect((await mustGet(elsewhere.id)).status).toBe('queued');
        expect(await store.cancelAll('nobody@Nothing', T0)).toBe(0);
      });
    });

    describe('reschedule', () => {
      it("moves a cron job's next run and keeps its schedule unless a new one is given", async () => {
        const job = await store.insert(cronJob());
        expect(await store.reschedule(job.id, T0 + 660_000)).toMatchObject({ runAt: T0 + 660_000, schedule: { minute: [10, 13] } });
        expect(await store.claim(claimOptions({ now: T0 + 600_000 }))).toEqual([]);
        const changed = await store.reschedule(job.id, T0 + 60_000, { minute: [1] });
        expect(changed).toMatchObject({ id: job.id, status: 'cronjob', runAt: T0 + 60_000, schedule: { minute: [1] } });
        expect(await mustGet(job.id)).toEqual(changed);
        expect((await store.claim(claimOptions({ now: T0 + 60_000 }))).map((claimed) => claimed.id)).toEqual([job.id]);
      });

      it('returns undefined for an unknown job', async () => {
        expect(await store.reschedule(987_654_321, T0)).toBeUndefined();
      });
    });

    describe('setProgress', () => {
      it('records progress for the lease holder only', async () => {
        const job = await runningJob();
        const waiting = await store.insert(newJob());
        expect(await store.setProgress(job.id, 'w1', 0.25, 'a quarter')).toBe(true);
        expect(await mustGet(job.id)).toMatchObject({ progress: 0.25, progressMessage: 'a quarter' });
        expect(await store.setProgress(job.id, 'w1', 0.5, null)).toBe(true);
        expect(await mustGet(job.id)).toMatchObject({ progress: 0.5, progressMessage: null });
        expect(await store.setProgress(job.id, 'w2', 0.9, 'not mine')).toBe(false);
        expect(await store.setProgress(waiting.id, 'w1', 0.9, 'not running')).toBe(false);
        expect(await store.setProgress(987_654_321, 'w1', 0.9, null)).toBe(false);
        expect(await mustGet(job.id)).toMatchObject({ progress: 0.5, progressMessage: null });
        expect((await mustGet(waiting.id)).progress).toBeNull();
      });
    });

    describe('clean', () => {
      it('removes exactly the jobs of the service in the statuses given', async () => {
        const completed = await runningJob();
        const failed = await runningJob();
        await store.finish([
          { id: completed.id, workerId: 'w1', now: T0, kind: 'completed', result: 1 },
          { id: failed.id, workerId: 'w1', now: T0, kind: 'failed', error: 'x', errorStack: null },
        ]);
        const cancelled = await store.insert(newJob());
        await store.cancel(cancelled.id, T0);
        const queued = await store.insert(newJob());
        const otherDone = await store.insert(newJob({ service: OTHER }));
        await store.cancel(otherDone.id, T0);
        expect(await store.clean(SERVICE, [])).toBe(0);
        expect(await store.clean(SERVICE, ['completed', 'error'])).toBe(2);
        expect(await store.get(completed.id)).toBeUndefined();
        expect(await store.get(failed.id)).toBeUndefined();
        expect((await mustGet(cancelled.id)).status).toBe('cancelled');
        expect(await store.clean(SERVICE, ['cancelled', 'error', 'completed'])).toBe(1);
        expect((await mustGet(queued.id)).status).toBe('queued');
        expect((await mustGet(otherDone.id)).status).toBe('cancelled');
        expect(await store.countByStatus(SERVICE)).toMatchObject({ queued: 1, completed: 0, error: 0, cancelled: 0 });
      });
    });

    describe('list', () => {
      /** Jobs of two services with ties and nulls in every sort column. */
      async function seedListing(): Promise<JobRecord[]> {
        const tasks = ['echo', 'Zeta', 'alpha', 'echo', 'beta', 'echo', 'alpha', 'zz', 'echo', 'Zeta', 'beta', 'echo', 'alpha'];
        const created = [5, 1, 5, 3, 3, 9, 1, 5, 2, 2, 8, 0, 5];
        const inserted = await store.insertMany(
          tasks.map((task, index) =>
            newJob({
              task,
              created: T0 + created[index],
              service: index % 4 === 3 ? OTHER : SERVICE,
              status: index === 12 ? 'start later' : index === 11 ? 'cronjob' : 'queued',
              runAt: index === 11 ? T0 : 0,
              schedule: index === 11 ? { minute: [0] } : null,
            }),
          ),
        );
        const startedAt = [10, 10, 20, 30, 30, 40, 50, 60, 10];
        for (const [index, offset] of startedAt.entries()) {
          const job = inserted[index];
          await claimJob(job.id, T0 + offset, 'w1', job.service);
        }
        const outcome = (index: number, now: number, kind: 'completed' | 'failed' | 'cancelled'): JobOutcome => {
          const id = inserted[index].id;
          if (kind === 'completed') return { id, workerId: 'w1', now: T0 + now, kind, result: index };
          if (kind === 'failed') return { id, workerId: 'w1', now: T0 + now, kind, error: 'x', errorStack: null };
          return { id, workerId: 'w1', now: T0 + now, kind, error: null };
        };
        await store.finish([
          outcome(0, 100, 'completed'),
          outcome(1, 100, 'completed'),
          outcome(2, 90, 'failed'),
          outcome(3, 120, 'completed'),
          outcome(4, 90, 'cancelled'),
        ]);
        await store.cancel(inserted[9].id, T0 + 100);
        return Promise.all(inserted.map((job) => mustGet(job.id)));
      }

      function expectedOrder(jobs: JobRecord[], sort: string): number[] {
        const descending = sort.startsWith('-');
        const key = (descending ? sort.slice(1) : sort) as JobSortKey;
        const compareValues = (a: number | string | null, b: number | string | null) =>
          a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;
        return [...jobs]
          .sort((a, b) => {
            const order = compareValues(a[key], b[key]) || a.id - b.id;
            return descending ? -order : order;
          })
          .map((job) => job.id);
      }

      async function walk(query: JobQuery): Promise<{ ids: number[]; pages: number }> {
        const ids: number[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.list({ ...query, cursor });
          pages += 1;
          ids.push(...page.jobs.map((job) => job.id));
          cursor = page.nextCursor ?? undefined;
          if (pages > 100) throw new Error('the cursor never ends');
        } while (cursor !== undefined);
        return { ids, pages };
      }

      it('filters by service, statuses and task', async () => {
        const jobs = await seedListing();
        const ids = (filter: (job: JobRecord) => boolean) => jobs.filter(filter).map((job) => job.id);
        expect((await store.list({ limit: 100 })).jobs.map((job) => job.id)).toEqual(ids(() => true));
        expect((await store.list({ service: SERVICE, limit: 100 })).jobs.map((job) => job.id)).toEqual(ids((job) => job.service === SERVICE));
        expect((await store.list({ status: ['completed', 'error'], limit: 100 })).jobs.map((job) => job.id)).toEqual(
          ids((job) => job.status === 'completed' || job.status === 'error'),
        );
        expect((await store.list({ service: SERVICE, status: ['processing'], limit: 100 })).jobs.map((job) => job.id)).toEqual(
          ids((job) => job.service === SERVICE && job.status === 'processing'),
        );
        expect((await store.list({ task: 'echo', limit: 100 })).jobs.map((job) => job.id)).toEqual(ids((job) => job.task === 'echo'));
        expect((await store.list({ service: OTHER, task: 'echo', status: ['completed'] })).jobs.map((job) => job.id)).toEqual(
          ids((job) => job.service === OTHER && job.task === 'echo' && job.status === 'completed'),
        );
        expect((await store.list({ status: [], limit: 100 })).jobs).toHaveLength(jobs.length);
        expect(await store.list({ service: 'nobody@Nothing' })).toEqual({ jobs: [], nextCursor: null });
        const [first] = (await store.list({ service: SERVICE, limit: 1 })).jobs;
        expect(first).toEqual(jobs[0]);
      });

      const sorts = ['id', 'created', 'started', 'completed', 'status', 'task'].flatMap((key) => [key, `-${key}`]);
      for (const sort of sorts) {
        it(`sorts by ${sort} (ties by id) and pages through every job exactly once`, async () => {
          const jobs = await seedListing();
          const all = await walk({ sort: sort as JobQuery['sort'], limit: 3 });
          expect(all.ids).toEqual(expectedOrder(jobs, sort));
          expect(all.pages).toBe(Math.ceil(jobs.length / 3));
          const mine = await walk({ sort: sort as JobQuery['sort'], limit: 2, service: SERVICE });
          expect(mine.ids).toEqual(expectedOrder(jobs.filter((job) => job.service === SERVICE), sort));
          const oneByOne = await walk({ sort: sort as JobQuery['sort'], limit: 1, status: ['completed', 'queued', 'processing'] });
          expect(oneByOne.ids).toEqual(
            expectedOrder(jobs.filter((job) => ['completed', 'queued', 'processing'].includes(job.status)), sort),
          );
        });
      }

      it('sorts by id unless told otherwise', async () => {
        const jobs = await seedListing();
        expect((await walk({ limit: 4 })).ids).toEqual(jobs.map((job) => job.id));
      });

      it('gives no cursor on the last page, even when it is full', async () => {
        const jobs = await store.insertMany(Array.from({ length: 6 }, () => newJob()));
        const first = await store.list({ limit: 3 });
        expect(first.jobs.map((job) => job.id)).toEqual(jobs.slice(0, 3).map((job) => job.id));
        expect(first.nextCursor).toEqual(expect.any(String));
        const second = await store.list({ limit: 3, cursor: first.nextCursor! });
        expect(second.jobs.map((job) => job.id)).toEqual(jobs.slice(3).map((job) => job.id));
        expect(second.nextCursor).toBeNull();
      });

      it('keeps its place when the job at the cursor is removed', async () => {
        const jobs = await store.insertMany(Array.from({ length: 6 }, () => newJob()));
        const first = await store.list({ limit: 3, sort: '-created' });
        const atCursor = first.jobs[2];
        await store.cancel(atCursor.id, T0);
        await store.clean(SERVICE, ['cancelled']);
        const second = await store.list({ limit: 3, sort: '-created', cursor: first.nextCursor! });
        expect(second.jobs.map((job) => job.id)).toEqual([jobs[2].id, jobs[1].id, jobs[0].id]);
      });

      it('pages 50 jobs by default and at most 1000', async () => {
        await store.insertMany(Array.from({ length: 1_005 }, (_, index) => newJob({ created: T0 + index })));
        const byDefault = await store.list({});
        expect(byDefault.jobs).toHaveLength(50);
        expect(byDefault.nextCursor).not.toBeNull();
        const capped = await store.list({ limit: 5_000 });
        expect(capped.jobs).toHaveLength(1_000);
        const rest = await store.list({ limit: 5_000, cursor: capped.nextCursor! });
        expect(rest.jobs).toHaveLength(5);
        expect(rest.nextCursor).toBeNull();
        expect(new Set([...capped.jobs, ...rest.jobs].map((job) => job.id)).size).toBe(1_005);
      });

      it('rejects a malformed cursor, saying the cursor is invalid', async () => {
        await store.insertMany([newJob(), newJob(), newJob()]);
        for (const cursor of ['not a cursor', 'bm9wZQ', Buffer.from('{"id":1}').toString('base64url')]) {
          const listing = store.list({ cursor });
          await expect(listing).rejects.toThrow(InvalidCursorError);
          await expect(listing).rejects.toThrow(/the cursor is invalid/);
        }
      });
    });

    describe('countByStatus', () => {
      it('counts every status, zero-filled, for one service or all', async () => {
        const zero = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
        expect(await store.countByStatus()).toEqual(zero);
        expect(await store.countByStatus(SERVICE)).toEqual(zero);
        await store.insertMany([newJob(), newJob(), newJob({ status: 'start later' }), cronJob(), delayedJob()]);
        await runningJob();
        await store.insert(newJob({ service: OTHER }));
        expect(await store.countByStatus(SERVICE)).toEqual({ ...zero, queued: 2, 'start later': 1, cronjob: 1, delayed: 1, processing: 1 });
        expect(await store.countByStatus(OTHER)).toEqual({ ...zero, queued: 1 });
        expect(await store.countByStatus()).toEqual({ ...zero, queued: 3, 'start later': 1, cronjob: 1, delayed: 1, processing: 1 });
      });
    });

    describe('hasWaiting and nextRunAt', () => {
      it('see only due, unleased, waiting jobs of the service', async () => {
        expect(await store.hasWaiting(SERVICE, T0)).toBe(false);
        expect(await store.nextRunAt(SERVICE)).toBeNull();
        await store.insert(newJob({ status: 'start later' }));
        await store.insert(newJob({ service: OTHER }));
        await runningJob();
        await runningCronJob();
        expect(await store.hasWaiting(SERVICE, T0 + 10_000_000)).toBe(false);
        expect(await store.nextRunAt(SERVICE)).toBeNull();
        await store.insert(cronJob({ runAt: T0 + 900 }));
        await store.insert(delayedJob({ runAt: T0 + 500 }));
        expect(await store.hasWaiting(SERVICE, T0 + 499)).toBe(false);
        expect(await store.hasWaiting(SERVICE, T0 + 500)).toBe(true);
        expect(await store.nextRunAt(SERVICE)).toBe(T0 + 500);
        const queued = await store.insert(newJob());
        expect(await store.hasWaiting(SERVICE, T0)).toBe(true);
        expect(await store.nextRunAt(SERVICE)).toBe(0);
        await store.cancel(queued.id, T0);
        expect(await store.nextRunAt(SERVICE)).toBe(T0 + 500);
        expect(await store.hasWaiting(OTHER, T0)).toBe(true);
        expect(await store.nextRunAt(OTHER)).toBe(0);
      });
    });

    describe('onWake', () => {
      it('wakes the service when a waiting job is inserted', async () => {
        for (const job of [newJob(), delayedJob(), cronJob()]) {
          const wakes = watchWakes(SERVICE);
          const woken = wakes.next(`an insert of a ${job.status} job`);
          await store.insert(job);
          await woken;
          wakes.stop();
        }
        const wakes = watchWakes(SERVICE);
        const woken = wakes.next('insertMany');
        await store.insertMany([newJob(), newJob()]);
        await woken;
        wakes.stop();
      });

      it('wakes the service when a job is started or rescheduled', async () => {
        const later = await store.insert(newJob({ status: 'start later' }));
        const cron = await store.insert(cronJob());
        await settleWakes();
        const wakes = watchWakes(SERVICE);
        let woken = wakes.next('start');
        await store.start(later.id, T0);
        await woken;
        woken = wakes.next('reschedule');
        await store.reschedule(cron.id, T0 + 1);
        await woken;
      });

      it('wakes the service when a run is retried or released', async () => {
        const retried = await runningJob();
        const released = await runningJob();
        await settleWakes();
        const wakes = watchWakes(SERVICE);
        let woken = wakes.next('a retry outcome');
        await store.finish([{ id: retried.id, workerId: 'w1', now: T0, kind: 'retry', error: 'e', errorStack: null, runAt: T0 + 100 }]);
        await woken;
        woken = wakes.next('a release outcome');
        await store.finish([{ id: released.id, workerId: 'w1', now: T0, kind: 'released' }]);
        await woken;
      });

      it('wakes the service when recoverExpired queued a job again', async () => {
        await runningJob();
        await settleWakes();
        const wakes = watchWakes(SERVICE);
        const woken = wakes.next('recoverExpired');
        expect(await store.recoverExpired(T0 + LEASE)).toBe(1);
        await woken;
      });

      it('does not wake another service', async () => {
        const other = watchWakes(OTHER);
        const mine = watchWakes(SERVICE);
        const woken = mine.next('an insert');
        await store.insert(newJob());
        await woken;
        await settleWakes();
        expect(other.calls).toBe(0);
        expect(mine.calls).toBeGreaterThanOrEqual(1);
      });

      it('stops calling a listener once unsubscribed', async () => {
        const gone = watchWakes(SERVICE);
        gone.stop();
        const staying = watchWakes(SERVICE);
        const woken = staying.next('an insert');
        await store.insert(newJob());
        await woken;
        await settleWakes();
        expect(gone.calls).toBe(0);
      });
    });

    describe('cancelRequestedAmong', () => {
      it('returns those of the given ids whose cancel was requested, in the order given', async () => {
        const flagged = await runningJob();
        const running = await runningJob();
        const flaggedCron = await runningCronJob();
        const waiting = await store.insert(newJob());
        const cancelledOutright = await store.insert(newJob());
        const flaggedThenDone = await runningJob();
        for (const job of [flagged, flaggedCron, flaggedThenDone]) await store.cancel(job.id, T0 + 1);
        await store.cancel(cancelledOutright.id, T0 + 1);
        await store.finish([{ id: flaggedThenDone.id, workerId: 'w1', now: T0 + 2, kind: 'completed', result: null }]);
        expect(
          await store.cancelRequestedAmong([
            flaggedCron.id,
            running.id,
            987_654_321,
            waiting.id,
            flagged.id,
            cancelledOutright.id,
            flaggedThenDone.id,
          ]),
        ).toEqual([flaggedCron.id, flagged.id, flaggedThenDone.id]);
        expect(await store.cancelRequestedAmong([running.id, waiting.id])).toEqual([]);
        expect(await store.cancelRequestedAmong([])).toEqual([]);
      });
    });

    describe('onCancelRequested', () => {
      type Requested = { id: number; service: string };

      function watchCancels() {
        const seen: Requested[] = [];
        let waiters: { id: number; resolve: () => void }[] = [];
        const stop = store.onCancelRequested((job) => {
          seen.push(job);
          const [matching, rest] = [waiters.filter((w) => w.id === job.id), waiters.filter((w) => w.id !== job.id)];
          waiters = rest;
          for (const waiter of matching) waiter.resolve();
        });
        return {
          seen,
          /** Resolves once a request for this job was heard; fails after a bounded wait. */
          heard(id: number, what: string): Promise<void> {
            if (seen.some((job) => job.id === id)) return Promise.resolve();
            return bounded(new Promise<void>((resolve) => waiters.push({ id, resolve })), `no cancel request heard for ${what}`);
          },
          stop,
        };
      }

      let cancelBarriers = 0;
      /** Requests arrive in order: once a fresh job's request was heard, every earlier one has been. */
      async function settleCancels(watcher: ReturnType<typeof watchCancels>): Promise<Requested> {
        const service = `barrier${++cancelBarriers}@Cancels`;
        const job = await store.insert(newJob({ service }));
        await claimJob(job.id, T0, 'w1', service);
        await store.cancel(job.id, T0 + 1);
        await watcher.heard(job.id, 'the barrier job');
        return { id: job.id, service };
      }

      it('tells of a cancel requested for a processing job or a leased cron job, once each', async () => {
        const cancels = watchCancels();
        const running = await runningJob();
        const cron = await claimJob((await store.insert(cronJob({ service: OTHER }))).id, T0 + 600_000, 'w1', OTHER);
        expect((await store.cancel(running.id, T0 + 1))?.cancelRequested).toBe(true);
        await cancels.heard(running.id, 'a processing job');
        expect((await store.cancel(cron.id, T0 + 1))?.cancelRequested).toBe(true);
        await cancels.heard(cron.id, 'a leased cron job');
        // Asked again: the request is already recorded, nobody is told twice.
        await store.cancel(running.id, T0 + 2);
        await store.cancel(cron.id, T0 + 2);
        const barrier = await settleCancels(cancels);
        expect(cancels.seen).toEqual([
          { id: running.id, service: SERVICE },
          { id: cron.id, service: OTHER },
          barrier,
        ]);
        cancels.stop();
      });

      it('is silent for waiting jobs cancelled outright, final jobs and unknown jobs', async () => {
        const cancels = watchCancels();
        const waiting = await store.insertMany([newJob(), newJob({ status: 'start later' }), delayedJob(), cronJob()]);
        const done = await runningJob();
        await store.finish([{ id: done.id, workerId: 'w1', now: T0, kind: 'completed', result: null }]);
        for (const job of waiting) expect((await store.cancel(job.id, T0 + 1))?.status).toBe('cancelled');
        await store.cancel(done.id, T0 + 1);
        expect(await store.cancel(987_654_321, T0 + 1)).toBeUndefined();
        // A job flagged while it ran and finished since: final, nothing to tell.
        const flagged = await runningJob();
        await store.cancel(flagged.id, T0 + 1);
        await cancels.heard(flagged.id, 'a processing job');
        await store.finish([{ id: flagged.id, workerId: 'w1', now: T0 + 2, kind: 'cancelled', error: null }]);
        await store.cancel(flagged.id, T0 + 3);
        const barrier = await settleCancels(cancels);
        expect(cancels.seen).toEqual([{ id: flagged.id, service: SERVICE }, barrier]);
        cancels.stop();
      });

      it('cancelAll tells of each running job of that service it newly flagged, and of no other', async () => {
        const cancels = watchCancels();
        const first = await runningJob();
        const second = await runningJob();
        const cron = await runningCronJob();
        const alreadyFlagged = await runningJob();
        await store.cancel(alreadyFlagged.id, T0 + 1);
        await cancels.heard(alreadyFlagged.id, 'a processing job');
        await store.insertMany([newJob(), cronJob(), delayedJob()]);
        const elsewhere = await store.insert(newJob({ service: OTHER }));
        await claimJob(elsewhere.id, T0, 'w1', OTHER);

        expect(await store.cancelAll(SERVICE, T0 + 2)).toBe(7);
        await Promise.all([first, second, cron].map((job) => cancels.heard(job.id, `job ${job.id} under cancelAll`)));
        const barrier = await settleCancels(cancels);
        const heard = cancels.seen.slice(1, -1).sort((a, b) => a.id - b.id);
        expect(heard).toEqual([first, second, cron].map((job) => ({ id: job.id, service: SERVICE })));
        expect(cancels.seen[cancels.seen.length - 1]).toEqual(barrier);
        expect((await mustGet(elsewhere.id)).cancelRequested).toBe(false);
        // Once flagged, a second cancelAll has nobody new to tell.
        await store.cancelAll(SERVICE, T0 + 3);
        const secondBarrier = await settleCancels(cancels);
        expect(cancels.seen).toHaveLength(6);
        expect(cancels.seen[5]).toEqual(secondBarrier);
        cancels.stop();
      });

      it('stops telling a listener once unsubscribed', async () => {
        const gone = watchCancels();
        const staying = watchCancels();
        gone.stop();
        const job = await runningJob();
        await store.cancel(job.id, T0 + 1);
        await staying.heard(job.id, 'a processing job');
        await settleCancels(staying);
        expect(gone.seen).toEqual([]);
        expect(staying.seen).toHaveLength(2);
        staying.stop();
      });
    });

    describe('exclusively', () => {
      it('runs callers of one lock name one after another, and other names alongside', async () => {
        const events: string[] = [];
        let releaseFirst!: () => void;
        const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
        let firstStarted!: () => void;
        const started = new Promise<void>((resolve) => (firstStarted = resolve));
        const first = store.exclusively('boot', async () => {
          events.push('first in');
          firstStarted();
          await firstHolds;
          events.push('first out');
          return 1;
        });
        await started;
        const second = store.exclusively('boot', async () => {
          events.push('second in');
          return 2;
        });
        const other = await store.exclusively('other', async () => {
          events.push('other');
          return 3;
        });
        expect(other).toBe(3);
        releaseFirst();
        expect(await Promise.all([first, second])).toEqual([1, 2]);
        expect(events).toEqual(['first in', 'other', 'first out', 'second in']);
      });

      it('releases the lock when the callback throws', async () => {
        await expect(
          store.exclusively('boot', async () => {
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await store.exclusively('boot', async () => 'free')).toBe('free');
      });
    });

    if (options.reopen) {
      const reopen = options.reopen;
      describe('durability', () => {
        it('keeps every job and field across close and reopen', async () => {
          const jobs = await store.insertMany([
            newJob({ input: { text: 'Grüße 🎉', nested: { list: [1, { deep: true }] } } }),
            newJob({ status: 'start later', service: OTHER }),
            delayedJob(),
            cronJob({ schedule: { cron: '0 * * * *', tz: 'Europe/Berlin' } }),
            newJob({ task: 'fails', timeout: 45_000 }),
            newJob({ task: 'retries' }),
          ]);
          const [done, , , cron, failed, retried] = jobs;
          await store.claim(claimOptions({ limit: 3 }));
          await claimJob(cron.id, T0 + 600_000);
          await store.setProgress(done.id, 'w1', 0.75, 'almost');
          await store.cancel(jobs[2].id, T0 + 2);
          await store.finish([
            { id: done.id, workerId: 'w1', now: T0 + 10, kind: 'completed', result: { frames: 3, names: ['ä'] } },
            { id: failed.id, workerId: 'w1', now: T0 + 11, kind: 'failed', error: 'An error occurred.', errorStack: 'at line 1' },
            { id: retried.id, workerId: 'w1', now: T0 + 12, kind: 'retry', error: 'again', errorStack: null, runAt: T0 + 500 },
            { id: cron.id, workerId: 'w1', now: T0 + 600_010, kind: 'completed', result: 1 },
          ]);
          const before = await Promise.all(jobs.map((job) => mustGet(job.id)));
          store = await reopen(store);
          const after = await Promise.all(jobs.map((job) => store.get(job.id)));
          expect(after).toEqual(before);
          const next = await store.insert(newJob());
          expect(next.id).toBeGreaterThan(jobs[jobs.length - 1].id);
        });
      });
    }
  });
}
