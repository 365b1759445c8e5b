/**
 * Retrying from the dashboard, end to end: a real `remotetask serve` (SQLite) and a real Chromium.
 * A job's page retries a failed job; the jobs table retries the selected jobs and all failed ones.
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

async function addJob(task: string, input: unknown = null): Promise<number> {
  const response = await api('/jobs', { task, input });
  expect(response.status).toBe(201);
  return response.body.id;
}

beforeAll(async () => {
  server = await startServer({
    plugins: ['echo'],
    sites: { '': { services: { RootTaskService: {} } } },
    autostart: ['@RootTaskService'],
  });
  browser = await launchBrowser();
  page = await browser.newPage();
  // Retry and "Retry all failed" ask first: the user says yes.
  page.on('dialog', (dialog) => void dialog.accept());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('retrying from the dashboard', () => {
  let failed: number[];

  beforeAll(async () => {
    failed = [await addJob('fail'), await addJob('fail'), await addJob('fail')];
    for (const id of failed) await waitUntil(async () => (await statusOf(id)) === 'error', { interval: 50, what: `job ${id} failed` });
    // Processing stops, so a retried job stays queued where the test can see it.
    expect((await api('/processing', { action: 'stop' })).body).toEqual({ processing: false });
  });

  it("retries a failed job from its page", async () => {
    await page.goto(`${server.url}/services/${ROOT}/jobs/${failed[0]}`);
    await page.getByRole('button', { name: 'Retry', exact: true }).click();
    await poll(() => page.locator('.flash').innerText()).toContain(`Job ${failed[0]} is queued again.`);
    expect(await statusOf(failed[0])).toBe('queued');
    expect((await api(`/jobs/${failed[0]}`)).body).toMatchObject({ attempts: 0, error: expect.any(String) });
    await page.goto(`${server.url}/services/${ROOT}/jobs/${failed[0]}`);
    expect(await page.getByRole('button', { name: 'Retry', exact: true }).count()).toBe(0);
    await screenshot(page, 'retried-job');
  });

  it('retries all failed jobs from the table, and the selected ones', async () => {
    await page.goto(`${server.url}/services/${ROOT}/jobs`);
    await page.getByRole('button', { name: 'Retry all failed' }).click();
    await poll(() => page.locator('.flash').innerText()).toContain('Retried 2 failed Jobs');
    for (const id of failed) expect(await statusOf(id)).toBe('queued');

    const cancelled = await addJob('echo', { n: 1 });
    expect((await api(`/jobs/${cancelled}/cancel`, {})).body.status).toBe('cancelled');
    await page.goto(`${server.url}/services/${ROOT}/jobs`);
    await page.getByLabel(`Select job ${cancelled}`).check();
    await page.getByRole('button', { name: 'Retry selected' }).click();
    await poll(() => page.locator('.flash').innerText()).toContain('Jobs were successfully retried.');
    expect(await statusOf(cancelled)).toBe('queued');
    await screenshot(page, 'retried-jobs');
  });
});
