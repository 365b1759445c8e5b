/**
 * Agents on the Workers page, end to end: a real `remotetask serve` (SQLite) with the agents plugin,
 * an agent speaking the protocol over HTTP, and a real Chromium signed in as a manager. The page
 * lists the agent beside the processes, with its tasks, its state and the job it holds, and drops it
 * (on its own refresh) once the agent says goodbye.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../plugins/http/auth/hash-token.js';
import { hashPassword } from '../plugins/http/index.js';
import { launchBrowser, poll, screenshot, startServer, type TestBrowser, type TestServer } from './helpers/browser.js';

let server: TestServer;
let browser: TestBrowser;
let page: Page;

const AGENT = 'Bearer agent-secret-token';
const BASE = '/api/services/@Agents/agents/gpu-1';

beforeAll(async () => {
  server = await startServer({
    plugins: ['agents'],
    http: {
      users: {
        ada: { role: 'manager', passwordHash: await hashPassword('ada-secret') },
        gpu: { role: 'agent', tokenHash: hashToken('agent-secret-token'), scopes: { services: ['@Agents'] } },
      },
    },
    sites: { '': { services: { Agents: {} } } },
    autostart: [],
  });
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(`${server.url}/login?next=/workers`);
  await page.getByLabel('User name').fill('ada');
  await page.getByLabel('Password').fill('ada-secret');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/workers');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('agents on the Workers page', () => {
  it('lists an agent with its tasks, connected, and the job it runs; drops it after its goodbye', async () => {
    await poll(() => page.locator('#agents').innerText()).toContain('No agent has said hello to this server.');
    expect((await server.api(BASE, { body: { tasks: [{ name: 'transcode' }, { name: 'thumbnail' }] }, auth: AGENT })).status).toBe(200);
    const added = await server.api('/api/services/@Agents/jobs', { body: { task: 'transcode', input: { n: 1 } }, auth: 'Basic ' + Buffer.from('ada:ada-secret').toString('base64') });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const claimed = await server.api(`${BASE}/claim`, { body: { limit: 5 }, auth: AGENT });
    expect(claimed.body.jobs.map((job: { id: number }) => job.id)).toEqual([added.body.id]);

    // The page refreshes itself: the agent shows up without a reload.
    const row = page.locator('tr[data-agent="gpu-1"]');
    await poll(() => row.count()).toBe(1);
    await poll(() => row.getAttribute('data-state')).toBe('connected');
    await poll(() => row.getAttribute('data-user')).toBe('gpu');
    await poll(() => row.locator('td').nth(2).innerText()).toBe('@Agents');
    await poll(() => row.locator('td').nth(3).innerText()).toContain('transcode');
    await poll(() => row.locator('td').nth(3).innerText()).toContain('thumbnail');
    const held = row.locator('td.held a');
    await poll(() => held.innerText()).toBe(String(added.body.id));
    await poll(() => held.getAttribute('href')).toBe(`/services/@Agents/jobs/${added.body.id}`);
    await screenshot(page, 'workers-agents');

    await server.api(`${BASE}/finish`, { body: { outcomes: [{ id: added.body.id, kind: 'completed', result: null }] }, auth: AGENT });
    await poll(() => row.locator('td.held').innerText()).toBe('idle');
    expect((await server.api(BASE, { method: 'DELETE', auth: AGENT })).status).toBe(204);
    await poll(() => row.count()).toBe(0);
    await poll(() => page.locator('#agents').innerText()).toContain('No agent has said hello to this server.');
  }, 60_000);
});
