import { describe, expect, it } from 'vitest';
import type { NewJob } from '../job-store.js';
import { KeyTakenError } from '../key-taken-error.js';
import type { ContractContext } from './contract-context.contract.js';
import { T0, SERVICE, OTHER, newJob, cronJob, delayedJob, claimOptions } from './fixtures.contract.js';

/** The contract of keyed jobs: one job holds a key of its service at a time. */
export function uniqueKeysContract(t: ContractContext): void {
  const keyed = (key: string, overrides: Partial<NewJob> = {}) => newJob({ key, ...overrides }) as NewJob & { key: string };

  describe('unique keys', () => {
    it('adds one job per key while it waits: keep answers the job holding it, unchanged', async () => {
      const first = await t.store.insertKeyed(keyed('k', { input: 1 }), 'keep', T0);
      expect(first.outcome).toBe('created');
      expect(first.job).toMatchObject({ key: 'k', input: 1, status: 'queued' });
      const again = await t.store.insertKeyed(keyed('k', { input: 2 }), 'keep', T0);
      expect(again).toMatchObject({ outcome: 'existing', job: { id: first.job.id, input: 1 } });
      const other = await t.store.insertKeyed(keyed('k', { service: OTHER }), 'keep', T0);
      expect(other.outcome).toBe('created');
      expect((await t.store.list({ service: SERVICE })).jobs).toHaveLength(1);
    });

    it('replace gives the waiting holder the new input and schedule', async () => {
      const held = await t.store.insertKeyed(keyed('d', { status: 'delayed', runAt: T0 + 10_000, schedule: { delay: 10 }, input: 'old' }), 'keep', T0);
      const replaced = await t.store.insertKeyed(keyed('d', { status: 'delayed', runAt: T0 + 50_000, schedule: { delay: 50 }, input: 'new' }), 'replace', T0);
      expect(replaced).toMatchObject({ outcome: 'replaced', job: { id: held.job.id, input: 'new', runAt: T0 + 50_000, schedule: { delay: 50 } } });
      expect(await t.mustGet(held.job.id)).toMatchObject({ input: 'new', runAt: T0 + 50_000 });
    });

    it('a waiting key is free once its job started; a running key once it ended', async () => {
      const waiting = await t.store.insertKeyed(keyed('w'), 'keep', T0);
      await t.claimJob(waiting.job.id);
      expect((await t.store.insertKeyed(keyed('w'), 'keep', T0)).outcome).toBe('created');

      const running = await t.store.insertKeyed(keyed('r', { keyScope: 'running' }), 'keep', T0);
      await t.claimJob(running.job.id);
      const whileRunning = await t.store.insertKeyed(keyed('r', { keyScope: 'running', input: 'x' }), 'replace', T0);
      expect(whileRunning).toMatchObject({ outcome: 'existing', job: { id: running.job.id, status: 'processing', input: { foo: 'bar' } } });
      await t.finishOne({ id: running.job.id, workerId: 'w1', now: T0 + 1, kind: 'completed', result: null });
      expect((await t.store.insertKeyed(keyed('r', { keyScope: 'running' }), 'keep', T0 + 2)).outcome).toBe('created');
    });

    it('a finished key holds for its period after the job ended, then is free', async () => {
      const job = await t.store.insertKeyed(keyed('f', { keyScope: 'finished', keyPeriodMs: 1_000 }), 'keep', T0);
      await t.claimJob(job.job.id);
      await t.finishOne({ id: job.job.id, workerId: 'w1', now: T0 + 5, kind: 'completed', result: 1 });
      const soon = await t.store.insertKeyed(keyed('f', { keyScope: 'finished', keyPeriodMs: 1_000 }), 'keep', T0 + 1_004);
      expect(soon).toMatchObject({ outcome: 'existing', job: { id: job.job.id, status: 'completed' } });
      expect((await t.store.insertKeyed(keyed('f', { keyScope: 'finished', keyPeriodMs: 1_000 }), 'keep', T0 + 1_005)).outcome).toBe('created');
    });

    it('a cancelled waiting job lets its key go; a cron job keeps it through its runs', async () => {
      const doomed = await t.store.insertKeyed(keyed('c'), 'keep', T0);
      await t.store.cancel(doomed.job.id, T0);
      expect((await t.store.insertKeyed(keyed('c'), 'keep', T0)).outcome).toBe('created');
      const cron = await t.store.insertKeyed({ ...cronJob({ runAt: T0 }), key: 'nightly' }, 'keep', T0);
      await t.claimJob(cron.job.id);
      await t.finishOne({ id: cron.job.id, workerId: 'w1', now: T0 + 1, kind: 'completed', result: null });
      const again = await t.store.insertKeyed({ ...cronJob(), key: 'nightly' }, 'keep', T0 + 2);
      expect(again).toMatchObject({ outcome: 'existing', job: { id: cron.job.id, status: 'cronjob' } });
    });

    it('keeps the key on the job, and a keyed job is claimed like any other', async () => {
      const { job } = await t.store.insertKeyed({ ...delayedJob({ runAt: T0 - 1 }), key: 'x' }, 'keep', T0);
      const [claimed] = await t.store.claim(claimOptions());
      expect(claimed).toMatchObject({ id: job.id, key: 'x' });
      expect((await t.mustGet(job.id)).key).toBe('x');
    });
    it('refuses to retry a job whose key another job took meanwhile, naming the key and its holder', async () => {
      for (const keyScope of ['waiting', 'running'] as const) {
        const key = `taken-${keyScope}`;
        const first = await t.store.insertKeyed(keyed(key, { keyScope }), 'keep', T0);
        await t.claimJob(first.job.id);
        await t.finishOne({ id: first.job.id, workerId: 'w1', now: T0 + 1, kind: 'failed', error: 'boom', errorStack: null });
        const second = await t.store.insertKeyed(keyed(key, { keyScope }), 'keep', T0 + 2);
        expect(second.outcome).toBe('created');
        const before = await t.mustGet(first.job.id);
        const refused = await t.store.retry(first.job.id).then(() => undefined, (error: unknown) => error);
        expect(refused).toBeInstanceOf(KeyTakenError);
        expect(refused).toMatchObject({ code: 'key_taken', jobId: first.job.id, key, holderId: second.job.id });
        expect((refused as Error).message).toContain(`key "${key}"`);
        expect((refused as Error).message).toContain(`job ${second.job.id}`);
        expect(await t.mustGet(first.job.id)).toEqual(before);
        // Once the holder lets the key go, the retry goes through and the job holds the key again.
        await t.store.cancel(second.job.id, T0 + 3);
        expect(await t.store.retry(first.job.id)).toMatchObject({ status: 'queued', key });
        expect(await t.store.insertKeyed(keyed(key, { keyScope }), 'keep', T0 + 4)).toMatchObject({ outcome: 'existing', job: { id: first.job.id } });
      }
    });

    it('retryAll leaves out the jobs whose key another job holds and retries the rest', async () => {
      const jobs = [];
      for (const key of ['a', 'b', 'c']) {
        const { job } = await t.store.insertKeyed(keyed(key, { keyScope: 'running' }), 'keep', T0);
        await t.claimJob(job.id);
        jobs.push(await t.finishOne({ id: job.id, workerId: 'w1', now: T0 + 1, kind: 'failed', error: 'boom', errorStack: null }));
      }
      const plain = await t.store.insert(newJob());
      await t.store.cancel(plain.id, T0);
      const holder = await t.store.insertKeyed(keyed('b', { keyScope: 'running' }), 'keep', T0 + 2);
      expect(await t.store.retryAll({ service: SERVICE, status: ['error', 'cancelled'] })).toBe(3);
      expect((await t.mustGet(jobs[0].id)).status).toBe('queued');
      expect((await t.mustGet(jobs[1].id)).status).toBe('error');
      expect((await t.mustGet(jobs[2].id)).status).toBe('queued');
      expect((await t.mustGet(plain.id)).status).toBe('queued');
      expect((await t.mustGet(holder.job.id)).status).toBe('queued');
    });
    it('retryAll gives a failed job its key again when a later job of that key has started since, and only the retried job holds it', async () => {
      const failed = [];
      for (const key of ['p', 'q']) {
        const { job } = await t.store.insertKeyed(keyed(key), 'keep', T0);
        await t.claimJob(job.id);
        failed.push(await t.finishOne({ id: job.id, workerId: 'w1', now: T0 + 1, kind: 'failed', error: 'boom', errorStack: null }));
        // A later job takes the key and lets it go as it starts.
        const later = await t.store.insertKeyed(keyed(key), 'keep', T0 + 2);
        expect(later.outcome).toBe('created');
        await t.claimJob(later.job.id);
      }
      expect(await t.store.retryAll({ service: SERVICE })).toBe(2);
      for (const [i, key] of ['p', 'q'].entries()) {
        expect(await t.store.insertKeyed(keyed(key), 'keep', T0 + 3)).toMatchObject({ outcome: 'existing', job: { id: failed[i].id, status: 'queued' } });
      }
    });

    it('retryAll retries one of two failed jobs of one key, the other stays failed', async () => {
      const failed = [];
      for (let i = 0; i < 2; i++) {
        const { job } = await t.store.insertKeyed(keyed('twice', { keyScope: 'running' }), 'keep', T0);
        await t.claimJob(job.id);
        failed.push(await t.finishOne({ id: job.id, workerId: 'w1', now: T0 + 1, kind: 'failed', error: 'boom', errorStack: null }));
      }
      const others = await t.store.insertMany([newJob(), newJob()]);
      for (const job of others) await t.store.cancel(job.id, T0);
      expect(await t.store.retryAll({ service: SERVICE, status: ['error', 'cancelled'] })).toBe(3);
      const statuses = await Promise.all(failed.map(async (job) => (await t.mustGet(job.id)).status));
      expect(statuses.sort()).toEqual(['error', 'queued']);
      for (const job of others) expect((await t.mustGet(job.id)).status).toBe('queued');
    });
  });
}
