/**
 * The dashboard behind users (http.users): sign-in with a session cookie, sign-out, a viewer who
 * sees no buttons and whose forged POSTs are refused, CSRF checks on a manager's POSTs. A real
 * `remotetask serve` and a real Chromium.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../plugins/http/index.js';
import { basicAuth, launchBrowser, poll, startServer, WAIT_MS, type TestBrowser, type TestServer } from './helpers/browser.js';

let server: TestServer;
let browser: TestBrowser;

const ROOT = '@RootTaskService';
const MANAGER = { name: 'ada', password: 'correct horse battery staple' };
const VIEWER = { name: 'vic', password: 'viewer-secret-42' };
let queuedJob: number;

/** Waits until the element's text (as written, whatever CSS does to its case) contains `expected`. */
const expectText = (page: Page, selector: string, expected: string) => poll(() => page.locator(selector).textContent()).toContain(expected);

async function signIn(page: Page, user: { name: string; password: string }, from = '/'): Promise<void> {
  // The pages of a test share the browser's cookies: start signed out.
  await browser.context.clearCookies();
  await page.goto(`${server.url}${from}`);
  await page.waitForURL(/\/login/);
  await page.getByLabel('User name').fill(user.name);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.user__name').waitFor();
}

/** Posts a form from inside the page (the session cookie goes along, as with a real form). */
function postFromPage(page: Page, path: string, fields: Record<string, string>): Promise<{ status: number; text: string }> {
  return page.evaluate(async ([url, body]) => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString(), redirect: 'manual' });
    return { status: response.status, text: await response.text() };
  }, [path, fields] as const);
}

const csrfTokenOf = (page: Page) => page.locator('input[name="_csrf"]').first().inputValue();
const sessionCookie = async (context: BrowserContext) => (await context.cookies()).find((cookie) => cookie.name === 'remotetask_session');

beforeAll(async () => {
  server = await startServer(
    {
      store: { kind: 'memory' },
      // `serve` adds the http and dashboard plugins itself.
    plugins: ['echo'],
      sites: { '': { services: { RootTaskService: {} } } },
      // Nothing autostarted: jobs stay queued, so there is something to cancel.
      autostart: [],
      http: {
        users: {
          [MANAGER.name]: { role: 'manager', passwordHash: await hashPassword(MANAGER.password) },
          [VIEWER.name]: { role: 'viewer', passwordEnv: 'TEST_VIEWER_PASSWORD' },
        },
      },
    },
    { TEST_VIEWER_PASSWORD: VIEWER.password },
  );
  const added = await server.api(`/api/services/${ROOT}/jobs`, { body: { task: 'echo', input: { foo: 'bar' } }, auth: basicAuth(MANAGER.name, MANAGER.password) });
  queuedJob = added.body.id;
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('signing in', () => {
  it('sends visitors to the sign-in page and says when the password is wrong', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/services/${ROOT}/jobs`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('User name').fill(MANAGER.name);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page, '.flash--error', 'Wrong user name or password.');
    await page.getByLabel('User name').fill('nobody');
    await page.getByLabel('Password').fill('anything');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page, '.flash--error', 'Wrong user name or password.');
    await page.close();
  });

  it('signs in with a session cookie (signed, HttpOnly, SameSite=Lax), back to the page asked for, and signs out', async () => {
    const page = await browser.newPage();
    await signIn(page, MANAGER, `/services/${ROOT}/jobs`);
    expect(new URL(page.url()).pathname).toBe(`/services/${ROOT}/jobs`);
    await expectText(page, '.user', 'ada');
    await expectText(page, '.user .role', 'manager');
    const cookie = await sessionCookie(browser.context);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie!.value).toMatch(/^[\w-]+\.[\w-]+$/);

    // A cookie the server did not sign is no session.
    await browser.context.addCookies([{ ...cookie!, value: `${cookie!.value.split('.')[0]}.forged` }]);
    await page.goto(server.url);
    await page.waitForURL(/\/login/);
    await browser.context.addCookies([cookie!]);
    await page.goto(server.url);
    await page.locator('.user__name').waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    // The old cookie ended with the session.
    await browser.context.addCookies([cookie!]);
    await page.goto(server.url);
    await page.waitForURL(/\/login/);
    await page.close();
  });

  it('keeps the API behind HTTP Basic: the session cookie does not open it', async () => {
    const page = await browser.newPage();
    await signIn(page, MANAGER);
    const cookie = await sessionCookie(browser.context);
    const withCookie = async (path: string) => {
      const response = await fetch(`${server.url}${path}`, { headers: { cookie: `${cookie!.name}=${cookie!.value}` }, signal: AbortSignal.timeout(WAIT_MS) });
      await response.arrayBuffer(); // read to the end: the connection goes back to the pool
      return response.status;
    };
    expect(await withCookie('/')).toBe(200);
    expect(await withCookie('/api/sites')).toBe(401);
    await page.getByRole('button', { name: 'Sign out' }).click();
    // The sign-out ends before the page closes: closing it mid-navigation is a race (this test
    // twice hung for 30 s, outside any Playwright action's 10 s limit, before the wait was here).
    await page.waitForURL(/\/login$/);
    await page.close();
  });
});

describe('a viewer', () => {
  let page: Page;
  beforeAll(async () => {
    page = await browser.newPage();
    await signIn(page, VIEWER);
  });
  afterAll(async () => page.close());

  it('sees no buttons that change anything', async () => {
    await expectText(page, '.user .role', 'viewer');
    await expectText(page, `[data-address="${ROOT}"] .state`, 'stopped');
    // The only button on the page is "Sign out".
    expect(await page.locator('button').allInnerTexts()).toEqual(['Sign out']);
    expect(await page.getByRole('link', { name: 'Add job' }).count()).toBe(0);

    await page.goto(`${server.url}/services/${ROOT}/jobs`);
    await page.locator(`#job-${queuedJob}`).waitFor();
    expect(await page.locator('input[type="checkbox"]').count()).toBe(0);
    expect(await page.locator('main button').allInnerTexts()).toEqual(['Filter', 'Find']);
    expect(await page.locator('form[method="post"]').count()).toBe(1);   // sign out

    await page.goto(`${server.url}/services/${ROOT}/jobs/${queuedJob}`);
    await expectText(page, '.detail', 'echo: foo=bar');
    expect(await page.locator('main button').count()).toBe(0);
  });

  it('is refused a forged POST (403), even with a valid CSRF token, and nothing changes', async () => {
    const token = await csrfTokenOf(page);
    for (const path of [`/services/${ROOT}/cancel-all`, `/services/${ROOT}/jobs/${queuedJob}/cancel`, `/services/${ROOT}/processing`]) {
      const response = await postFromPage(page, path, { _csrf: token, action: 'start' });
      expect(response.status, path).toBe(403);
      expect(response.text).toContain('is a viewer and may only look');
    }
    const job = await server.api(`/api/services/${ROOT}/jobs/${queuedJob}`, { auth: basicAuth(MANAGER.name, MANAGER.password) });
    expect(job.body.status).toBe('queued');
    const sites = await server.api('/api/sites', { auth: basicAuth(VIEWER.name, VIEWER.password) });
    expect(sites.body.sites[0].services[0].processing).toBe(false);
  });

  it('is not shown the forms that add jobs or change schedules', async () => {
    for (const path of [`/services/${ROOT}/jobs/new`, `/services/${ROOT}/cronjobs/new`]) {
      const response = await page.goto(`${server.url}${path}`);
      expect(response!.status(), path).toBe(403);
      await expectText(page, '.error-message', 'is a viewer and may only look');
    }
  });
});

describe('a manager', () => {
  it('needs the CSRF token on every POST', async () => {
    const page = await browser.newPage();
    await signIn(page, MANAGER);
    const without = await postFromPage(page, `/services/${ROOT}/cancel-all`, {});
    expect(without.status).toBe(403);
    expect(without.text).toContain('CSRF token is missing or wrong');
    const wrong = await postFromPage(page, `/services/${ROOT}/cancel-all`, { _csrf: 'not-the-token' });
    expect(wrong.status).toBe(403);
    expect((await server.api(`/api/services/${ROOT}/jobs/${queuedJob}`, { auth: basicAuth(MANAGER.name, MANAGER.password) })).body.status).toBe('queued');

    // With the page's own form it works.
    await page.goto(`${server.url}/services/${ROOT}/jobs/${queuedJob}`);
    page.on('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await expectText(page, '.flash', `Job ${queuedJob} is cancelled.`);
    await expectText(page, 'h1 .badge', 'cancelled');
    await page.close();
  });
});
