import { describe, expect, it } from 'vitest';
import type { NewJob } from '../job-store.js';
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
  });
}
