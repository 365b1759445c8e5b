/**
 * A job's attempts on its dashboard page, end to end: a real `remotetask serve` (SQLite) runs a
 * job that fails, is retried and fails again; a real Chromium reads the table and unfolds a stack.
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

beforeAll(async () => {
  server = await startServer({
    plugins: ['echo'],
    sites: { '': { services: { RootTaskService: {} } } },
    autostart: ['@RootTaskService'],
  });
  browser = await launchBrowser();
  page = await browser.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('attempts on the job page', () => {
  it('shows both failed runs of a retried job newest first, each stack folded until opened', async () => {
    const added = await api('/jobs', { task: 'fail', input: null });
    expect(added.status).toBe(201);
    const id = added.body.id as number;
    const ended = async () => (await api(`/jobs/${id}/attempts`)).body.attempts as { ended: string }[];
    await waitUntil(async () => (await ended()).length === 1, { interval: 50, what: `job ${id} failed` });
    expect((await api(`/jobs/${id}/retry`, {})).body.status).toBe('queued');
    await waitUntil(async () => (await ended()).length === 2, { interval: 50, what: `job ${id} failed again` });
    const [second, first] = await ended();
    expect(Date.parse(second.ended)).toBeGreaterThanOrEqual(Date.parse(first.ended));

    await page.goto(`${server.url}/services/${ROOT}/jobs/${id}`);
    const rows = page.locator('table.attempts tbody tr');
    await poll(() => rows.count()).toBe(2);
    const cells = async (row: number) => (await rows.nth(row).locator('td').allInnerTexts()).map((text) => text.trim());
    // Each run was the job's first attempt: the retry counted afresh and kept the history.
    expect((await cells(0)).slice(0, 2)).toEqual(['1', 'failed']);
    expect((await cells(1)).slice(0, 2)).toEqual(['1', 'failed']);
    for (const row of [0, 1]) expect((await cells(row))[4]).toMatch(/:\d+:/); // the worker id: host:pid:…

    const stack = rows.nth(1).locator('pre.stack');
    expect(await stack.isVisible()).toBe(false);
    await rows.nth(1).getByText('Stack', { exact: true }).click();
    await poll(() => stack.isVisible()).toBe(true);
    expect(await stack.innerText()).toMatch(/^Error: disk full\n\s+at /);
    await screenshot(page, 'job-attempts');
  });
});
