import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel } from '../../kernel/create-kernel.js';
import type { Kernel } from '../../kernel/kernel.js';
import { ConfigError } from '../../config/config-error.js';
import { addRunMetrics } from '../../fleet/run-metrics.js';
import { MemoryJobStore } from '../../store/memory/memory-job-store.js';
import type { JobStore } from '../../store/job-store.js';
import type { FinishedStatus } from '../../store/retention-rules.js';
import { captureLog } from '../../../test/helpers/capture-log.js';
import type { RemotetaskConfig } from '../../config/define-config.js';
import { RETENTION_LOCK, RetentionSweeper } from './retention-sweeper.js';
import { parseDuration, retentionLimits } from './retention-options.js';

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;

/** Jobs of `service` that ended in `status` at each of `times`; returns their ids. */
async function ended(store: JobStore, service: string, status: FinishedStatus, times: number[]): Promise<number[]> {
  const ids: number[] = [];
  for (const at of times) {
    const job = await store.insert({ service, task: 'echo', input: null, status: 'queued', maxAttempts: 1, created: at, runAt: 0, schedule: null });
    if (status === 'cancelled') {
      await store.cancel(job.id, at);
    } else {
      await store.claim({ service, now: at, workerId: 'w', leaseMs: 1_000, jobId: job.id, nextRunAt: () => null });
      await store.finish([
        status === 'completed'
          ? { id: job.id, workerId: 'w', now: at, kind: 'completed', result: null }
          : { id: job.id, workerId: 'w', now: at, kind: 'failed', error: 'boom', errorStack: null },
      ]);
    }
    ids.push(job.id);
  }
  return ids;
}

const kernels: Kernel[] = [];
afterEach(async () => {
  await Promise.all(kernels.splice(0).map((kernel) => kernel.close()));
});

async function kernelWith(services: NonNullable<RemotetaskConfig['sites']>['']['services'], defaults?: RemotetaskConfig['defaults']) {
  const log = captureLog();
  const kernel = await createKernel(
    { store: { kind: 'memory' }, sites: { '': { services } }, ...(defaults ? { defaults } : {}) },
    { autostart: false, logger: log.logger, clock: () => NOW },
  );
  kernels.push(kernel);
  return { kernel, log };
}

const remaining = async (kernel: Kernel, service: string) =>
  (await kernel.store.list({ service, limit: 1000, sort: 'id' })).jobs.map((job) => job.id);

describe('retention sweeps', () => {
  it('removes finished jobs past their age and count per service and status, counts and logs them', async () => {
    const { kernel, log } = await kernelWith({
      A: { retention: { completed: '7d', error: { maxAge: '30d', maxCount: 2 }, cancelled: '1d' } },
      B: { retention: false },
    });
    const registry = new Registry();
    const stopMetrics = addRunMetrics(kernel, registry);
    const store = kernel.store;
    const [oldDone, newDone] = await ended(store, '@A', 'completed', [NOW - 8 * DAY, NOW - 6 * DAY]);
    // Four failures within 30 days: the count keeps the newest two; one older than 30 days goes anyway.
    const failed = await ended(store, '@A', 'error', [NOW - 40 * DAY, NOW - 4 * DAY, NOW - 3 * DAY, NOW - 2 * DAY, NOW - DAY]);
    const [oldCancel, newCancel] = await ended(store, '@A', 'cancelled', [NOW - 2 * DAY, NOW - 1_000]);
    const cron = await store.insert({ service: '@A', task: 'echo', input: null, status: 'cronjob', maxAttempts: 1, created: 0, runAt: NOW + DAY, schedule: { minute: [0] } });
    const queued = await store.insert({ service: '@A', task: 'echo', input: null, status: 'queued', maxAttempts: 1, created: 0, runAt: 0, schedule: null });
    const keptByB = await ended(store, '@B', 'completed', [NOW - 100 * DAY]);

    const report = await kernel.retention.sweep(NOW);
    expect(report.ran).toBe(true);
    expect(report.removed).toEqual([
      { service: '@A', status: 'completed', count: 1 },
      { service: '@A', status: 'error', count: 3 },
      { service: '@A', status: 'cancelled', count: 1 },
    ]);
    expect(await remaining(kernel, '@A')).toEqual([newDone, failed[3], failed[4], newCancel, cron.id, queued.id]);
    expect(await store.get(oldDone)).toBeUndefined();
    expect(await store.get(oldCancel)).toBeUndefined();
    expect(await remaining(kernel, '@B')).toEqual(keptByB);
    expect(log.records).toContainEqual({ level: 'info', message: 'retention removed 5 finished job(s) of @A: 1 completed, 3 error, 1 cancelled' });
    const metrics = await registry.metrics();
    expect(metrics).toContain('remotetask_retention_removed_total{service="@A",status="completed"} 1');
    expect(metrics).toContain('remotetask_retention_removed_total{service="@A",status="error"} 3');
    expect(metrics).not.toContain('service="@B",status=');
    stopMetrics();
    // A second sweep finds nothing more to do, and says nothing.
    log.clear();
    expect(await kernel.retention.sweep(NOW)).toEqual({ ran: true, removed: [] });
    expect(log.records.filter((record) => record.message.startsWith('retention'))).toEqual([]);
  });

  it('applies the documented default to a service that says nothing, and a status the service leaves out', async () => {
    const { kernel } = await kernelWith({ Plain: {}, Own: { retention: { completed: '1h' } } }, { retention: { cancelled: false } });
    const store = kernel.store;
    const [weekOld, dayOld] = await ended(store, '@Plain', 'completed', [NOW - 7 * DAY - 1, NOW - DAY]);
    const [monthOld, weekOldError] = await ended(store, '@Plain', 'error', [NOW - 30 * DAY - 1, NOW - 7 * DAY - 1]);
    const cancelled = await ended(store, '@Plain', 'cancelled', [NOW - 365 * DAY]);
    const [hourOld] = await ended(store, '@Own', 'completed', [NOW - 2 * 3_600_000]);
    const [ownError] = await ended(store, '@Own', 'error', [NOW - 10 * DAY]);
    await kernel.retention.sweep(NOW);
    for (const id of [weekOld, monthOld, hourOld]) expect(await store.get(id)).toBeUndefined();
    for (const id of [dayOld, weekOldError, ...cancelled, ownError]) expect(await store.get(id)).toBeDefined();
  });

  it('keeps the newest maxCount by end time, removing the rest a batch at a time', async () => {
    const store = new MemoryJobStore();
    const times = Array.from({ length: 25 }, (_, index) => NOW - (index % 7) * 1_000 - index);
    const ids = await ended(store, '@S', 'completed', times);
    const sweeper = new RetentionSweeper({
      store, logger: captureLog().logger, clock: () => NOW, batchSize: 4,
      services: () => [{ address: '@S', options: { retention: { completed: { maxCount: 5 } } } }],
    });
    const batches: number[] = [];
    sweeper.onRemoved(({ count }) => batches.push(count));
    expect((await sweeper.sweep(NOW)).removed).toEqual([{ service: '@S', status: 'completed', count: 20 }]);
    expect(batches).toEqual([4, 4, 4, 4, 4]);
    const newest = ids.map((id, index) => ({ id, at: times[index] })).sort((a, b) => b.at - a.at || b.id - a.id).slice(0, 5).map((job) => job.id);
    expect((await store.list({ service: '@S' })).jobs.map((job) => job.id).sort()).toEqual(newest.sort());
  });

  it('skips the round at once while another caller holds the retention lock', async () => {
    const { kernel } = await kernelWith({ S: { retention: { completed: '1d' } } });
    const [old] = await ended(kernel.store, '@S', 'completed', [NOW - 2 * DAY]);
    let release!: () => void;
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const holder = kernel.store.exclusively(RETENTION_LOCK, () => {
      entered();
      return new Promise<void>((resolve) => (release = resolve));
    });
    await inside;
    expect(await kernel.retention.sweep(NOW)).toEqual({ ran: false, removed: [] });
    expect(await kernel.store.get(old)).toBeDefined();
    release();
    await holder;
    expect((await kernel.retention.sweep(NOW)).removed).toEqual([{ service: '@S', status: 'completed', count: 1 }]);
  });
});

describe('retention settings', () => {
  it('reads durations with units, and says what is wrong with a bad one', () => {
    expect(parseDuration('7d')).toBe(7 * DAY);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2w')).toBe(14 * DAY);
    expect(parseDuration(60_000)).toBe(60_000);
    expect(parseDuration('7x')).toBe('"7x" is not a duration: write a number and a unit (ms, s, m, h, d or w) like "7d" or "12h", or a number of milliseconds');
    expect(parseDuration(-1)).toMatch(/0 or more/);
    expect(retentionLimits({ completed: '1d', error: { maxCount: 3 }, cancelled: false })).toEqual([
      { status: 'completed', maxAgeMs: DAY, maxCount: null },
      { status: 'error', maxAgeMs: null, maxCount: 3 },
    ]);
  });

  it('refuses a config with a bad retention, naming every problem and its key', async () => {
    const config: RemotetaskConfig = {
      store: { kind: 'memory' },
      defaults: { retention: { completed: '7x' } },
      sites: {
        '': {
          services: {
            S: {
              retention: {
                error: { maxAge: 'soon', maxCount: -1 }, cancelled: {}, cronjob: '1d',
              } as never,
            },
          },
        },
      },
    };
    const error = await createKernel(config, { autostart: false }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'sites[""].services.S.retention.error.maxAge: "soon" is not a duration: write a number and a unit (ms, s, m, h, d or w) like "7d" or "12h", or a number of milliseconds',
      'sites[""].services.S.retention.error.maxCount must be a whole number, 0 or more, got -1',
      'sites[""].services.S.retention.cancelled needs maxAge, maxCount or both (or false to keep these jobs forever)',
      'sites[""].services.S.retention.cronjob: unknown status "cronjob" (retention applies to completed, error, cancelled; cron jobs are never removed)',
      'defaults.retention.completed: "7x" is not a duration: write a number and a unit (ms, s, m, h, d or w) like "7d" or "12h", or a number of milliseconds (or { maxAge, maxCount }, or false to keep these jobs forever)',
    ]);
  });

  it('refuses a service added in code with a bad retention', async () => {
    const { kernel } = await kernelWith({});
    expect(() => kernel.addService(kernel.root, 'Bad', { retention: { completed: '3 days' } })).toThrow(
      'invalid retention: the retention of service "Bad".completed: "3 days" is not a duration',
    );
  });
});
