/**
 * Issue 14, the Workers page in a real browser, with real processes on PostgreSQL: a
 * `remotetask serve` (host-a) and two `remotetask worker` processes (host-b, host-c) each run a
 * gated job. The page lists the three with their hosts and the job each runs; a worker killed
 * with `kill -9` (its own pid: the node process the registry lists) is marked lost once its
 * lease time has passed without a beat, while the page stays open; Drain on another row drains it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RemotetaskClient } from '../core/client/index.js';
import { launchBrowser, poll as pollPage, type TestBrowser } from './helpers/browser.js';
import { fleetConfig, poll, readRuns, useFleetTest, writeConfig } from './fixtures/worker-fleet.js';
import { type RunningServer, startRemotetaskServer } from './helpers/start-remotetask-server.js';

const fleetTest = useFleetTest('workers_page');
const { fleet, setUp, observer } = fleetTest;
let server: RunningServer | undefined;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.newPage();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await server?.stop('SIGKILL');
  server = undefined;
});

describe('the Workers page on PostgreSQL', { timeout: 120_000 }, () => {
  it('lists the server and two workers with hosts and running jobs, marks a killed worker lost, and drains another', async () => {
    const { out } = setUp('workers-page');
    const config = fleetConfig({ url: fleetTest.url, schema: 'workers_page', out, services: { Svc: {} } });
    const configFile = writeConfig(fleetTest.dir, config);
    server = await startRemotetaskServer(config as unknown as Record<string, unknown>, {
      env: { REMOTETASK_HOSTNAME: 'host-a', REMOTETASK_STORE: '' },
    });
    const [b] = await fleet.start(1, configFile, { REMOTETASK_HOSTNAME: 'host-b' });
    const [c] = await fleet.start(1, configFile, { REMOTETASK_HOSTNAME: 'host-c' });
    const service = (await observer(config)).getService('@Svc');
    const client = new RemotetaskClient({ url: server.url });
    await poll(async () => (await client.workers()).workers.filter((worker) => !worker.lost).length === 3, { what: 'three processes registered' });

    const gate = join(fleetTest.dir, 'gate');
    const ids: number[] = [];
    for (let n = 0; n < 3; n++) ids.push(await service.add('record', { gate }));
    await poll(() => new Set(readRuns(out).filter((line) => line.kind === 'start').map((line) => line.id)).size === 3, {
      what: 'the three gated jobs running', detail: () => fleet.output() + server!.output(),
    });
    const runner = new Map(readRuns(out).filter((line) => line.kind === 'start').map((line) => [line.pid, line.id]));

    await page.goto(`${server.url}/workers`);
    const row = (host: string) => page.locator(`tr.worker[data-host="${host}"]`);
    await pollPage(() => page.locator('tr.worker').count()).toBe(3);
    for (const [host, pid] of [['host-a', server.child.pid!], ['host-b', b.pid], ['host-c', c.pid]] as const) {
      await pollPage(() => row(host).getAttribute('data-state')).toBe('alive');
      const cells = await row(host).locator('td').allInnerTexts();
      expect(cells[1]).toBe(String(pid));
      // The job the run log says this process runs, linked, with its task and since when.
      await pollPage(() => row(host).locator('td.held a').allInnerTexts()).toEqual([String(runner.get(pid))]);
      expect(await row(host).locator('td.held').innerText()).toMatch(/record .*@Svc · since/);
    }

    // kill -9 the worker on host-b: the node process itself, the pid the registry lists.
    const loads: string[] = [];
    page.on('load', () => loads.push(page.url()));
    b.child.kill('SIGKILL');
    await b.exited;
    // The page refreshes its table by itself; the worker's lease time is 1 s (a beat every third of it).
    await pollPage(() => row('host-b').getAttribute('data-state')).toBe('lost');
    expect(await row('host-b').locator('.badge').innerText()).toBe('lost');
    expect(await row('host-a').getAttribute('data-state')).toBe('alive');
    expect(await row('host-c').getAttribute('data-state')).toBe('alive');
    expect(loads).toEqual([]);

    // Drain host-c from its row: it runs its job on (draining), and once that ended holds none (drained).
    await row('host-c').getByRole('button', { name: /^Drain host-c/ }).click();
    await page.waitForURL(`${server.url}/workers`);
    await pollPage(() => row('host-c').getAttribute('data-state')).toBe('draining');
    await c.waitForOutput(/service @Svc drains in this process/, 10_000);
    writeFileSync(gate, '');
    await pollPage(() => row('host-c').getAttribute('data-state')).toBe('drained');
    await pollPage(() => row('host-c').locator('td.finished').innerText()).toBe('1/min');
    expect(await row('host-c').getByRole('button', { name: /^Undrain host-c/ }).count()).toBe(1);
  });
});
