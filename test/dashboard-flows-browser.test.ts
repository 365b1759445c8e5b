/**
 * A job's page shows its flow, end to end: a real `remotetask serve` (SQLite) and a real Chromium.
 * A blocked job names the job it waits for, that job names what waits for it, and a batch's jobs
 * show how far the batch is; the page follows the batch to its end.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, poll, screenshot, startServer, type TestBrowser, type TestServer } from './helpers/browser.js';
import { waitUntil } from './helpers/wait-for.js';

let server: TestServer;
let browser: TestBrowser;
let page: Page;

const ROOT = '@RootTaskService';
const api = (path: string, body?: unknown) => server.api(`/api/services/${encodeURIComponent(ROOT)}${path}`, body === undefined ? {} : { body });
const statusOf = async (id: number) => (await api(`/jobs/${id}`)).body.status as string;

beforeAll(async () => {
  server = await startServer({
    plugins: ['echo'],
    sites: { '': { services: { RootTaskService: {} } } },
    autostart: [],
  });
  browser = await launchBrowser();
  page = await browser.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the flow on a job\'s page', () => {
  it('shows what a job waits for and what waits for it, and a batch\'s progress', async () => {
    const flow = await api('/flows', { jobs: [{ name: 'convert', task: 'echo' }, { task: 'echo', after: ['convert'] }] });
    expect(flow.status).toBe(201);
    const [convert, notify] = (flow.body.jobs as { id: number }[]).map((job) => job.id);
    await page.goto(`${server.url}/services/${ROOT}/jobs/${notify}`);
    const section = page.locator('#flow');
    expect(await page.locator('h1 .badge').innerText()).toBe('blocked');
    expect(await section.getByRole('heading', { name: 'Waits for' }).count()).toBe(1);
    expect(await section.getByRole('link', { name: `Job ${convert}` }).count()).toBe(1);
    await screenshot(page, 'blocked-job');
    await section.getByRole('link', { name: `Job ${convert}` }).click();
    await poll(() => page.locator('h1').innerText()).toContain(`Job ${convert}`);
    expect(await page.locator('#flow').getByRole('heading', { name: 'Waited for by' }).count()).toBe(1);
    expect(await page.locator('#flow').getByRole('link', { name: `Job ${notify}` }).count()).toBe(1);

    const batch = await api('/batches', { jobs: [{ task: 'echo' }, { task: 'fail' }, { task: 'echo' }], callback: { task: 'echo' } });
    expect(batch.status).toBe(201);
    const { batchId, callbackId } = batch.body as { batchId: number; callbackId: number };
    await page.goto(`${server.url}/services/${ROOT}/jobs/${callbackId}`);
    expect(await page.locator('#flow .batch').innerText()).toContain(`The callback of batch ${batchId}: 0 of 3 ended — 0 completed, 0 failed, 0 cancelled, 3 pending.`);
    expect((await api('/processing', { action: 'start' })).body).toEqual({ processing: true });
    await waitUntil(async () => (await statusOf(callbackId)) === 'completed', { interval: 50, what: 'the batch callback to complete' });
    // The page refreshes itself as the callback's events come: no reload.
    await poll(() => page.locator('#flow .batch').innerText()).toContain('3 of 3 ended — 2 completed, 1 failed, 0 cancelled, 0 pending.');
    await screenshot(page, 'batch-callback');
  });
});
