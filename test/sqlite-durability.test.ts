/**
 * Durability on the embedded default: a real SQLite file survives a clean restart and a `kill -9`
 * of the process serving it; every accepted job completes (at least once).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, type Kernel, type RemotetaskConfig } from '../core/index.js';
import { captureLog } from './helpers/capture-log.js';
import { type RunningProcess, spawnRemotetask } from './helpers/spawn-remotetask.js';
import { waitForEvent, waitUntil } from './helpers/wait-for.js';

const RECORD_PLUGIN = new URL('./fixtures/record-plugin.ts', import.meta.url).pathname;

let kernel: Kernel | undefined;
let child: RunningProcess | undefined;
afterEach(async () => {
  await kernel?.close();
  kernel = undefined;
  if (child && child.child.exitCode === null && child.child.signalCode === null) {
    child.child.kill('SIGKILL');
    await child.exited;
  }
  child = undefined;
});

describe('SQLite durability', () => {
  it('keeps every job across a restart: queued jobs run, start-later waits, cron keeps its schedule', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'remotetask-restart-'));
    const config: RemotetaskConfig = {
      store: { kind: 'sqlite', path: join(dir, 'jobs.db') },
      plugins: ['echo'],
      sites: { '': { services: { Svc: {} } } },
    };
    kernel = await createKernel(config, { logger: captureLog().logger, autostart: false });
    const before = kernel.getService('@Svc');
    const queued = await Promise.all([1, 2, 3].map((n) => before.add('echo', { n })));
    const later = await before.add('echo', 'later', { startLater: true });
    const cron = await before.addCronJob('echo', 'tick', { cron: '0 3 * * *', tz: 'Europe/Berlin' });
    const cronRunAt = (await before.getJob(cron)).runAt;
    await kernel.close();

    kernel = await createKernel({ ...config, autostart: ['@Svc'] }, { logger: captureLog().logger });
    const after = kernel.getService('@Svc');
    const lastDone = waitForEvent(kernel, (e) => e.jobId === queued[2] && e.type === 'completed');
    if ((await after.getStatus(queued[2]!)) !== 'completed') await lastDone;
    for (const [index, id] of queued.entries()) {
      expect(await after.getStatus(id)).toBe('completed');
      expect(await after.getResult(id)).toEqual({ n: index + 1 });
    }
    expect(await after.getStatus(later)).toBe('start later');
    expect(await after.getJob(cron)).toMatchObject({ status: 'cronjob', runAt: cronRunAt, schedule: { cron: '0 3 * * *', tz: 'Europe/Berlin' } });
  });

  it('completes every accepted job after a kill -9 of the serving process', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'remotetask-crash-'));
    const out = join(dir, 'runs.log');
    writeFileSync(out, '');
    const database = join(dir, 'jobs.db');
    const config: RemotetaskConfig = {
      store: { kind: 'sqlite', path: database },
      plugins: [[RECORD_PLUGIN, { out }]],
      sites: { '': { services: { Svc: { processor: 'multi', maxConcurrency: 4 } } } },
      autostart: ['@Svc'],
    };
    const configFile = join(dir, 'remotetask.config.json');
    writeFileSync(configFile, JSON.stringify(config));

    // Accept 40 jobs, then let a real process work on them.
    kernel = await createKernel({ ...config, autostart: [] }, { logger: captureLog().logger });
    const ids: number[] = [];
    for (let n = 0; n < 40; n++) ids.push(await kernel.getService('@Svc').add('record', { ms: 50 }));
    await kernel.close();
    kernel = undefined;

    child = spawnRemotetask(['serve', '--config', configFile, '--port', '0']);
    await child.waitForOutput(/service Svc on site root started/);
    const ended = () => readFileSync(out, 'utf8').split('\n').filter((line) => line.startsWith('end ')).length;
    await waitUntil(() => ended() >= 8, { timeout: 20_000, what: 'some jobs to finish' });
    child.child.kill('SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');
    const firstRun = readFileSync(out, 'utf8');
    const endedInFirstRun = new Set(firstRun.match(/^end \d+$/gm)?.map((line) => Number(line.slice(4))));
    const cutShort = [...(firstRun.match(/^start \d+$/gm) ?? [])].map((line) => Number(line.slice(6))).filter((id) => !endedInFirstRun.has(id));
    expect(endedInFirstRun.size).toBeLessThan(40);

    // A new process on the same file finishes what the killed one left, the interrupted jobs included.
    child = spawnRemotetask(['serve', '--config', configFile, '--port', '0']);
    await child.waitForOutput(/service Svc on site root started/);
    await waitUntil(() => new Set(readFileSync(out, 'utf8').match(/^end \d+$/gm)).size === 40, { timeout: 30_000, what: 'all 40 jobs to end' });
    child.child.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);

    kernel = await createKernel({ ...config, autostart: [] }, { logger: captureLog().logger });
    const jobs = await kernel.getService('@Svc').jobs.all();
    expect(jobs).toHaveLength(40);
    expect(jobs.every((job) => job.status === 'completed')).toBe(true);
    // At least once: the jobs cut short by the kill ran again, with that attempt counted. (Jobs
    // claimed but not yet started, or finished but not yet recorded, were run again too.)
    for (const id of cutShort) expect(jobs.find((job) => job.id === id)?.attempts).toBe(2);
    expect(jobs.every((job) => job.attempts === 1 || job.attempts === 2)).toBe(true);
  });

  it('refuses a second process on the same file, saying why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'remotetask-lock-'));
    const config: RemotetaskConfig = { store: { kind: 'sqlite', path: join(dir, 'jobs.db') } };
    kernel = await createKernel(config, { logger: captureLog().logger });
    await expect(createKernel(config, { logger: captureLog().logger })).rejects.toThrow(/another remotetask process/);
  });
});
