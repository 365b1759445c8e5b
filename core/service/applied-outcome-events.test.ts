import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLog } from '../../test/helpers/capture-log.js';
import { waitUntil } from '../../test/helpers/wait-for.js';
import { createTemporaryDatabase, type TemporaryDatabase } from '../../test/helpers/temporary-postgres.js';
import type { StoreConfig } from '../config/define-config.js';
import { createKernel } from '../kernel/create-kernel.js';
import type { Kernel } from '../kernel/kernel.js';
import { SimpleTask } from '../tasks/simple-task.js';
import type { JobEvent } from './job-events.js';

let kernel: Kernel | undefined;
let dir: string | undefined;
let database: TemporaryDatabase | undefined;
afterEach(async () => {
  await kernel?.close();
  kernel = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
  await database?.drop();
  database = undefined;
});

const HOUR = 3_600_000;

/**
 * A kernel on a real store whose `finish` waits until the test lets it go: `written` resolves
 * when an outcome reaches the store, and nothing is applied before `letWrite()`.
 */
async function bootWithHeldFinish(kind: StoreConfig['kind']) {
  let store: StoreConfig = { kind: 'memory' };
  if (kind === 'sqlite') {
    dir = mkdtempSync(join(tmpdir(), 'remotetask-applied-'));
    store = { kind: 'sqlite', path: join(dir, 'jobs.db') };
  } else if (kind === 'postgres') {
    database = await createTemporaryDatabase('applied');
    store = { kind: 'postgres', url: database.url };
  }
  let now = 0;
  kernel = await createKernel(
    { store, sites: { '': { services: { Svc: { backoff: { base: 1, factor: 1, max: 1 } } } } } },
    { logger: captureLog('debug').logger, autostart: false, clock: () => now },
  );
  const finish = kernel.store.finish.bind(kernel.store);
  let reached!: () => void;
  const written = new Promise<void>((resolve) => (reached = resolve));
  let letWrite!: () => void;
  const gate = new Promise<void>((resolve) => (letWrite = resolve));
  kernel.store.finish = async (outcomes) => {
    reached();
    await gate;
    return finish(outcomes);
  };
  const events: JobEvent[] = [];
  kernel.events.on((event) => events.push(event));
  /** A job's events as [type, status] pairs. */
  const trail = (id: number) => events.filter((event) => event.jobId === id).map((event) => [event.type, event.status]);
  const setClock = (ms: number) => void (now = ms);
  return { kernel, service: kernel.getService('@Svc'), written, letWrite, trail, setClock };
}

describe.each(['memory', 'sqlite', 'postgres'] as const)('events follow what the %s store applied', (kind) => {
  it('a cancel that lands while a cron job’s outcome is written: cancelled, never completed', async () => {
    const { kernel, service, written, letWrite, trail } = await bootWithHeldFinish(kind);
    kernel.addTask('tick', new SimpleTask(() => 'tock'));
    const id = await service.addCronJob('tick', null, { minute: [0] });
    const ran = service.processNext(HOUR / 1000);
    await written;
    await service.cancel(id);
    letWrite();
    await ran;
    expect(await service.getStatus(id)).toBe('cancelled');
    expect(trail(id)).toEqual([
      ['added', 'cronjob'],
      ['started', 'cronjob'],
      ['cancelled', 'cancelled'],
    ]);
  });

  it('a cancel that lands while a retry is written: cancelled, not retrying', async () => {
    const { kernel, service, written, letWrite, trail } = await bootWithHeldFinish(kind);
    kernel.addTask('flaky', new SimpleTask(() => {
      throw new Error('the disk is full');
    }));
    const id = await service.add('flaky', null);
    const ran = service.processNext();
    await written;
    await service.cancel(id);
    letWrite();
    await ran;
    expect(await service.getJob(id)).toMatchObject({ status: 'cancelled', error: 'the disk is full' });
    expect(trail(id)).toEqual([
      ['added', 'queued'],
      ['started', 'processing'],
      ['cancelled', 'cancelled'],
    ]);
  });

  it('the same through the processor loop: the cron job ends cancelled, and so says its event', async () => {
    const { kernel, service, written, letWrite, trail, setClock } = await bootWithHeldFinish(kind);
    kernel.addTask('tick', new SimpleTask(() => 'tock'));
    const id = await service.addCronJob('tick', null, { minute: [0] });
    setClock(HOUR);
    service.startProcessing();
    await written;
    await service.cancel(id);
    letWrite();
    await waitUntil(() => trail(id).length === 3, { what: 'the run’s last event', detail: () => JSON.stringify(trail(id)) });
    expect(trail(id)).toEqual([
      ['added', 'cronjob'],
      ['started', 'cronjob'],
      ['cancelled', 'cancelled'],
    ]);
    expect(await service.getStatus(id)).toBe('cancelled');
  });

  it('a cron job whose outcome is written without a cancel stays cronjob and says completed', async () => {
    const { kernel, service, written, letWrite, trail } = await bootWithHeldFinish(kind);
    kernel.addTask('tick', new SimpleTask(() => 'tock'));
    const id = await service.addCronJob('tick', null, { minute: [0] });
    const ran = service.processNext(HOUR / 1000);
    await written;
    letWrite();
    await ran;
    expect(await service.getJob(id)).toMatchObject({ status: 'cronjob', result: 'tock' });
    expect(trail(id)).toEqual([
      ['added', 'cronjob'],
      ['started', 'cronjob'],
      ['completed', 'cronjob'],
    ]);
  });
});
