/**
 * The README's screenshots, from a realistic state: an hour of finished jobs written to a SQLite
 * store by an in-process kernel on a fake clock, then `remotetask serve` on that store (its chart
 * reads the hour before it started from the store), a few live jobs, and a real Chromium.
 * They land in test-results/dashboard/; REMOTETASK_UPDATE_SCREENSHOTS=1 copies them to docs/images/.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createKernel, type RemotetaskConfig } from '../core/index.js';
import { captureLog } from './helpers/capture-log.js';
import { DASHBOARD_TASKS_PLUGIN, launchBrowser, poll, screenshot, startServer, type TestBrowser, type TestServer } from './helpers/browser.js';
import { REPO_ROOT } from './helpers/spawn-remotetask.js';

const MINUTE = 60_000;
let seedDir: string;
let server: TestServer;
let browser: TestBrowser;
let seeded = { completed: 0, failed: 0 };

const sites: RemotetaskConfig['sites'] = {
  '': { services: { RootTaskService: { processor: 'multi', maxConcurrency: 4 } } },
  shop: { services: { Mail: {}, Media: { processor: 'multi', maxConcurrency: 2 } } },
};

/**
 * Jobs finished over the hour before now, minute by minute, in a wave; one failure every 9
 * minutes. 58 minutes of them, ending a minute ago: still all in the chart's hour when a minute
 * turns before the page is looked at.
 */
async function seedHistory(storePath: string): Promise<void> {
  const start = Math.floor(Date.now() / MINUTE) * MINUTE - 58 * MINUTE;
  let now = start;
  const kernel = await createKernel(
    { store: { kind: 'sqlite', path: storePath }, plugins: ['echo', [DASHBOARD_TASKS_PLUGIN, { gateDir: seedDir }]], sites },
    { autostart: false, clock: () => now, logger: captureLog().logger },
  );
  const root = kernel.getService('@RootTaskService');
  const mail = kernel.getService('shop@Mail');
  const media = kernel.getService('shop@Media');
  for (let minute = 0; minute < 57; minute++) {
    const perMinute = 3 + Math.round(4 + 4 * Math.sin(minute / 6));
    for (let n = 0; n < perMinute; n++) {
      now = start + minute * MINUTE + n * 4000;
      await root.add('echo', { order: 4000 + minute * 10 + n, customer: `c-${(minute * 7 + n) % 40}` });
      await root.processNext();
      seeded.completed++;
      if (n % 3 === 0) {
        await mail.add('send-mail', { to: `customer${n}@example.com`, subject: `Order ${4000 + minute * 10 + n} shipped` });
        await mail.processNext();
        await media.add('thumbnail', { file: `product-${minute}-${n}.png`, size: 256 });
        await media.processNext();
      }
    }
    if (minute % 9 === 4) {
      await root.add('fail', { order: 4000 + minute * 10 });
      await root.processNext();
      seeded.failed++;
    }
  }
  await kernel.close();
}

beforeAll(async () => {
  seedDir = mkdtempSync(join(tmpdir(), 'remotetask-seed-'));
  const storePath = join(seedDir, 'jobs.db');
  seeded = { completed: 0, failed: 0 };
  await seedHistory(storePath);
  server = await startServer({
    store: { kind: 'sqlite', path: storePath },
    // `serve` adds the http and dashboard plugins itself.
    plugins: ['echo'],
    sites,
    autostart: ['@RootTaskService', 'shop@Media'],
  });
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(seedDir, { recursive: true, force: true });
});

it('charts the hour before the server started from the store, and takes the README screenshots', async () => {
  const add = async (address: string, task: string, input: unknown, wait?: string) => {
    const { body } = await server.api(`/api/services/${encodeURIComponent(address)}/jobs`, { body: { task, input } });
    if (wait) await poll(async () => (await server.api(`/api/services/${encodeURIComponent(address)}/jobs/${body.id}`)).body.status).toBe(wait);
    return body.id as number;
  };
  // Now, live: mails wait (Mail is stopped), a video converts, a cron job and a failure on the root service.
  for (const n of [1, 2, 3, 4, 5]) await add('shop@Mail', 'send-mail', { to: `lead${n}@example.com`, subject: 'Welcome aboard' });
  await add('shop@Media', 'convert-video', { gate: 'intro', file: 'intro.mov' }, 'processing');
  await server.api('/api/services/@RootTaskService/cronjobs', { body: { task: 'echo', input: { report: 'daily sales' }, hour: [6], minute: [0] } });
  await add('@RootTaskService', 'fail', { order: 5001 }, 'error');
  await add('@RootTaskService', 'convert-video', { gate: 'trailer', file: 'trailer.mov' }, 'processing');
  for (const n of [1, 2, 3]) await add('@RootTaskService', 'echo', { order: 5010 + n, customer: `c-${n}` }, 'completed');
  await add('@RootTaskService', 'send-mail', { to: 'billing@example.com', subject: 'Invoice 5014' }, 'completed');
  await add('@RootTaskService', 'thumbnail', { file: 'banner.png', size: 512 }, 'completed');

  const page = await browser.newPage({ viewport: { width: 1200, height: 740 } });
  await page.goto(server.url);
  const chart = page.locator('[data-chart="@RootTaskService"]');
  // The seeded hour (read from the store at start) plus what ran live since.
  await poll(() => chart.locator('.legend--ok').innerText()).toBe(`${seeded.completed + 5} completed`);
  await poll(() => chart.locator('.legend--failed').innerText()).toBe(`${seeded.failed + 1} failed`);
  expect(await chart.locator('rect.bar-ok').count()).toBeGreaterThan(55);
  const overview = await screenshot(page, 'overview', { fullPage: false });

  await page.goto(`${server.url}/services/@RootTaskService/jobs`);
  await page.locator('#live[data-state="open"]').waitFor();
  const jobs = await screenshot(page, 'jobs', { fullPage: false });
  await page.close();
  server.openGate('intro');
  server.openGate('trailer');

  if (process.env.REMOTETASK_UPDATE_SCREENSHOTS === '1') {
    const images = join(REPO_ROOT, 'docs', 'images');
    mkdirSync(images, { recursive: true });
    copyFileSync(overview, join(images, 'dashboard-overview.png'));
    copyFileSync(jobs, join(images, 'dashboard-jobs.png'));
  }
}, 60_000);
