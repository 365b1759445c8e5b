/**
 * Issue 14, item 1, in a real browser: the dashboard of a `remotetask serve` that processes
 * nothing shows a job that a `remotetask worker` runs go from queued to completed, live, without a
 * reload (the worker's events reach the server over PostgreSQL).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, poll, startServer, type TestBrowser, type TestServer } from './helpers/browser.js';
import { createTemporaryDatabase, type TemporaryDatabase } from './helpers/temporary-postgres.js';
import { type RunningProcess, spawnRemotetask } from './helpers/spawn-remotetask.js';

let database: TemporaryDatabase;
let server: TestServer;
let worker: RunningProcess | undefined;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
  database = await createTemporaryDatabase('dashboard_live');
  server = await startServer({
    store: { kind: 'postgres', url: database.url, schema: 'live', poolSize: 4 },
    plugins: ['echo'],
    sites: { '': { services: { RootTaskService: {} } } },
    autostart: [],
  });
  browser = await launchBrowser();
  page = await browser.newPage();
}, 60_000);

afterAll(async () => {
  worker?.child.kill('SIGKILL');
  await worker?.exited;
  await browser?.close();
  server?.process.child.kill('SIGKILL');
  await server?.process.exited;
  await database?.drop();
});

describe('dashboard live rows on PostgreSQL', { timeout: 90_000 }, () => {
  it('a job run by a worker goes from queued to completed without a reload', async () => {
    await page.goto(`${server.url}/services/@RootTaskService/jobs`);
    await page.locator('#live[data-state="open"]').waitFor();
    const added = await server.api('/api/services/%40RootTaskService/jobs', { body: { task: 'echo', input: { live: true } } });
    expect(added.status).toBe(201);
    const badge = page.locator(`#job-${added.body.id} .badge`);
    // Nobody processes yet: the row comes in queued.
    await poll(() => badge.innerText()).toBe('queued');

    // Now a worker (the same config, starting the service) runs it, in another process.
    const config = JSON.parse(readFileSync(join(server.dir, 'remotetask.config.json'), 'utf8'));
    const workerConfig = join(server.dir, 'worker.config.json');
    writeFileSync(workerConfig, JSON.stringify({ ...config, autostart: ['@RootTaskService'] }));
    let loads = 0;
    page.on('load', () => loads++);
    worker = spawnRemotetask(['worker', '--config', workerConfig], { REMOTETASK_STORE: '' });
    await worker.waitForOutput(/processing: remotetasks\.RootTaskService/, 30_000);
    await poll(() => badge.innerText()).toBe('completed');
    expect(loads).toBe(0);
    expect(server.process.output()).not.toMatch(/RootTaskService on site root started/);
  });
});
