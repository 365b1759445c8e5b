/**
 * Issue 14 on SQLite: the file is served by one process, and the registry holds that one. The
 * API, the CLI's source and the dashboard's Workers page list it with the job it runs; it leaves
 * the registry when it closes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, definePlugin, type Kernel, SimpleTask } from '../core/index.js';
import { SqliteJobStore } from '../core/store/sqlite/sqlite-job-store.js';
import { httpServerOf } from '../plugins/http/index.js';
import { captureLog } from './helpers/capture-log.js';
import { waitUntil } from './helpers/wait-for.js';

let release: () => void = () => undefined;
const holdPlugin = definePlugin({
  name: 'hold-task',
  register(ctx) {
    ctx.addTask('hold', new SimpleTask(() => new Promise<string>((resolve) => (release = () => resolve('released')))));
  },
});

let kernel: Kernel | undefined;
let dir: string | undefined;
afterEach(async () => {
  release();
  await kernel?.close();
  kernel = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('SQLite store: the registry of processes', () => {
  it('lists this one process with the job it runs, on the API and the Workers page, pauses and resumes, and forgets it on close', async () => {
    dir = mkdtempSync(join(tmpdir(), 'remotetask-registry-'));
    const path = join(dir, 'jobs.sqlite');
    process.env.REMOTETASK_HOSTNAME = 'sqlite-host';
    try {
      kernel = await createKernel(
        {
          store: { kind: 'sqlite', path },
          plugins: [holdPlugin, 'http', 'dashboard'],
          sites: { '': { services: { Svc: {} } } },
          autostart: ['@Svc'],
          http: { port: 0 },
        },
        { logger: captureLog().logger },
      );
      const app = httpServerOf(kernel)!.app;
      const service = kernel.getService('@Svc');
      const id = await service.add('hold');
      await waitUntil(async () => (await service.getJob(id))?.status === 'processing', { what: 'the job running' });

      const { now, workers } = (await app.inject('/api/workers')).json();
      expect(typeof now).toBe('string');
      expect(workers).toHaveLength(1);
      expect(workers[0]).toMatchObject({
        id: kernel.workerId,
        host: 'sqlite-host',
        pid: process.pid,
        role: 'embedded',
        lost: false,
        services: [{ address: '@Svc', concurrency: 1 }],
        jobs: [{ id, service: '@Svc', task: 'hold', started: expect.any(String) }],
      });

      const page = await app.inject('/workers');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`data-host="sqlite-host"`);
      expect(page.body).toContain(`data-state="alive"`);
      expect(page.body).toMatch(new RegExp(`href="/services/[^"]*/jobs/${id}">${id}</a> hold`));

      // Paused everywhere (one process here): the running job finishes, a new one waits for the resume.
      expect((await app.inject({ method: 'POST', url: '/api/services/@Svc/pause' })).json()).toMatchObject({ paused: true });
      await waitUntil(() => service.pausedEverywhere, { what: 'the pause applied' });
      expect((await app.inject('/workers')).body).toContain('data-service="@Svc" data-paused="true"');
      const waiting = await service.add('hold');
      release();
      await waitUntil(async () => (await service.getJob(id))?.status === 'completed', { what: 'the job completed' });
      expect((await service.getJob(waiting))?.status).toBe('queued');
      expect((await app.inject({ method: 'POST', url: '/api/services/@Svc/resume' })).json()).toEqual({ paused: false, since: null });
      await waitUntil(async () => (await service.getJob(waiting))?.status === 'processing', { what: 'the waiting job running after the resume' });
      release();
      await waitUntil(async () => (await service.getJob(waiting))?.status === 'completed', { what: 'the waiting job completed' });
      await kernel.close();
      kernel = undefined;
    } finally {
      delete process.env.REMOTETASK_HOSTNAME;
    }
    const store = new SqliteJobStore({ path });
    await store.open();
    expect(await store.listProcesses(Date.now())).toEqual([]);
    await store.close();
  });

  it('drains the process from the Workers page: the running job finishes, a new one waits, undrained it runs', async () => {
    dir = mkdtempSync(join(tmpdir(), 'remotetask-drain-'));
    kernel = await createKernel(
      {
        store: { kind: 'sqlite', path: join(dir, 'jobs.sqlite') },
        plugins: [holdPlugin, 'http', 'dashboard'],
        sites: { '': { services: { Svc: {} } } },
        autostart: ['@Svc'],
        http: { port: 0 },
      },
      { logger: captureLog().logger },
    );
    const app = httpServerOf(kernel)!.app;
    const service = kernel.getService('@Svc');
    const id = await service.add('hold');
    await waitUntil(async () => (await service.getJob(id))?.status === 'processing', { what: 'the job running' });
    const page = await app.inject('/workers');
    expect(page.body).toContain('data-state="alive"');
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    const drain = (action: string, worker = kernel!.workerId) => app.inject({
      method: 'POST',
      url: '/workers/drain',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1], worker, action }).toString(),
    });
    expect((await drain('drain')).statusCode).toBe(303);
    await waitUntil(() => service.draining, { what: 'the drain applied' });
    expect((await app.inject('/workers')).body).toContain('data-state="draining"');
    const waiting = await service.add('hold');
    release();
    await waitUntil(async () => (await service.getJob(id))?.status === 'completed', { what: 'the running job completed' });
    expect((await service.getJob(waiting))?.status).toBe('queued');
    expect((await app.inject('/workers')).body).toContain('data-state="drained"');
    // The beat carries the runs the process ended (its next beat, asked for here rather than waited for).
    await kernel.heartbeat.beat();
    expect((await app.inject('/api/workers')).json().workers[0]).toMatchObject({ draining: true, finished: { total: 1, lastMinute: 1 } });

    expect((await drain('undrain')).statusCode).toBe(303);
    await waitUntil(async () => (await service.getJob(waiting))?.status === 'processing', { what: 'the waiting job running after the undrain' });
    expect((await app.inject('/workers')).body).toContain('data-state="alive"');
    // A process that is not registered: said on the page it goes back to, nothing changed.
    expect((await drain('drain', 'nobody')).statusCode).toBe(303);
    expect((await app.inject({ url: '/workers', headers: { cookie } })).body).toContain('No process &quot;nobody&quot; is registered');
    expect(service.draining).toBe(false);
  });
});
