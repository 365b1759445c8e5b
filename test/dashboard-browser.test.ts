/**
 * The dashboard end to end: a real `remotetask serve` (SQLite in a temp dir, no users: the
 * dashboard is open on loopback) and a real Chromium, clicking and typing as a user would.
 * Screenshots land in test-results/dashboard/.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, poll, screenshot, startServer, type TestBrowser, type TestServer } from './helpers/browser.js';

let server: TestServer;
let browser: TestBrowser;
let page: Page;
/** Every URL the browser asked for: the dashboard must work offline, from its own server only. */
const requested: string[] = [];

const ROOT = '@RootTaskService';
const REPORTS = 'site1@Reports';

const text = (locator: Locator) => locator.innerText();
/** Waits until the locator's text contains `expected` (Playwright's auto-waiting, polled). */
const expectText = (locator: Locator, expected: string) => poll(() => text(locator)).toContain(expected);
const jobsUrl = (address: string, query = '') => `${server.url}/services/${address}/jobs${query}`;
const row = (id: number) => page.locator(`#job-${id}`);
const badgeOf = (id: number) => row(id).locator('.badge');

async function addJob(address: string, task: string, input: unknown): Promise<number> {
  const response = await server.api(`/api/services/${encodeURIComponent(address)}/jobs`, { body: { task, input } });
  expect(response.status).toBe(201);
  return response.body.id;
}

async function waitForStatus(address: string, id: number, status: string): Promise<void> {
  await poll(async () => (await server.api(`/api/services/${encodeURIComponent(address)}/jobs/${id}`)).body.status).toBe(status);
}

/** Opens a page and waits until its live updates are subscribed (so no change can slip by). */
async function openLive(url: string): Promise<void> {
  await page.goto(url);
  await page.locator('#live[data-state="open"]').waitFor();
}

beforeAll(async () => {
  server = await startServer({
    // `serve` adds the http and dashboard plugins itself.
    plugins: ['echo'],
    sites: {
      '': { services: { RootTaskService: { processor: 'multi', maxConcurrency: 4 } } },
      site1: { services: { Reports: {} } },
    },
    autostart: ['@RootTaskService'],
  });
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('request', (request) => requested.push(request.url()));
  // "Cancel all" and "Remove finished jobs" ask first: the user says yes.
  page.on('dialog', (dialog) => void dialog.accept());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('overview', () => {
  it('shows the sites, their services with processing state, queue depth and tasks, and starts and stops processing', async () => {
    await page.goto(server.url);
    const root = page.locator(`[data-address="${ROOT}"]`);
    const reports = page.locator(`[data-address="${REPORTS}"]`);
    await expectText(page.locator('#site-root'), 'root');
    await expectText(page.locator('#site-site1'), 'site1');
    await expectText(root.locator('.state'), 'processing');
    await expectText(reports.locator('.state'), 'stopped');
    for (const task of ['echo', 'thumbnail', 'gate', 'fail']) await expectText(root.locator('.tasks'), task);
    await expectText(root.locator('.tasks'), 'Makes a thumbnail of a PNG file.');

    // Reports does not process: what is added waits, and the queue depth says so.
    await addJob(REPORTS, 'echo', { n: 1 });
    await addJob(REPORTS, 'echo', { n: 2 });
    await page.reload();
    await expectText(reports.locator('.stat--queue dd'), '2');

    await reports.getByRole('button', { name: `Start processing ${REPORTS}` }).click();
    await expectText(page.locator('.flash'), `Processing of ${REPORTS} started.`);
    await expectText(reports.locator('.state'), 'processing');
    await expectText(reports.locator('.stat--queue dd'), '0');
    await reports.getByRole('button', { name: `Stop processing ${REPORTS}` }).click();
    await expectText(page.locator('.flash'), `Processing of ${REPORTS} stopped.`);
    await expectText(reports.locator('.state'), 'stopped');

    // The overview follows the job events: a new job shows in the queue depth without a reload.
    await page.locator('#live[data-state="open"]').waitFor();
    await addJob(REPORTS, 'echo', { n: 3 });
    await expectText(reports.locator('.stat--queue dd'), '1');
    expect(await page.locator('.flash').count()).toBe(1);   // the same page: its flash is still there
  });

  it('charts the jobs completed and failed per minute', async () => {
    const failed = await addJob(ROOT, 'fail', null);
    await waitForStatus(ROOT, failed, 'error');
    await page.goto(server.url);
    const chart = page.locator(`[data-chart="${ROOT}"]`);
    // Jobs of this test file so far on the root service: none completed yet but the failure.
    await poll(() => chart.locator('.legend--failed').innerText()).toBe('1 failed');
    await poll(() => chart.locator('rect.bar-failed').count()).toBe(1);
    await expectText(chart.locator('figcaption'), "from the store's completion times");
    await expectText(page.locator(`[data-chart="${REPORTS}"] .legend--ok`), '2 completed');
  });
});

describe('jobs table', () => {
  it('shows each job with a badge and its detail: the echo renderer, the default for others', async () => {
    const echo = await addJob(ROOT, 'echo', { foo: 'bar' });
    const thumbnail = await addJob(ROOT, 'thumbnail', { file: 'a.png', size: 64 });
    await waitForStatus(ROOT, thumbnail, 'completed');
    await page.goto(jobsUrl(ROOT));
    await expectText(row(echo).locator('.col-detail'), 'echo: foo=bar');
    await expectText(row(thumbnail).locator('.col-detail'), '{"file":"a.png","size":64}');
    await expectText(badgeOf(echo), 'completed');
    expect(await badgeOf(echo).getAttribute('class')).toContain('badge--completed');
    const failedRow = page.locator('tr[data-status="error"]').first();
    expect(await failedRow.locator('.badge').getAttribute('class')).toContain('badge--error');
  });

  it('shows a plugin\'s HTML detail, with the job\'s input escaped', async () => {
    const id = await addJob(ROOT, 'send-mail', { to: 'ops@example.com', subject: '<img src=x onerror="window.pwned=1"> report' });
    await waitForStatus(ROOT, id, 'completed');
    await page.goto(jobsUrl(ROOT));
    await expectText(row(id).locator('.col-detail b'), 'ops@example.com');
    await expectText(row(id).locator('.col-detail'), 'to ops@example.com: <img src=x onerror="window.pwned=1"> report');
    expect(await row(id).locator('.col-detail img').count()).toBe(0);
    await row(id).getByRole('link', { name: String(id) }).click();
    await expectText(page.locator('.detail i'), '<img src=x onerror="window.pwned=1"> report');
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
  });

  it('updates rows live as jobs start, progress and complete, without a reload', async () => {
    await openLive(jobsUrl(ROOT));
    await page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));
    const id = await addJob(ROOT, 'gate', { gate: 'live' });
    // The new job appears at the top, running, with its progress bar.
    await expectText(badgeOf(id), 'processing');
    await poll(() => row(id).locator('progress').getAttribute('value')).toBe('50');
    await expectText(row(id).locator('.col-progress'), 'waiting for the gate');
    expect(await page.locator('#job-rows tr').first().getAttribute('id')).toBe(`job-${id}`);

    server.openGate('live');
    await expectText(badgeOf(id), 'completed');
    await poll(() => row(id).locator('progress').count()).toBe(0);
    await poll(() => row(id).locator('.col-time').nth(2).locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await screenshot(page, 'jobs-live');
  });

  it('sorts by a clicked column, filters by status and task, finds by id', async () => {
    await page.goto(jobsUrl(ROOT));
    const ids = async () => page.locator('#job-rows tr').evaluateAll((rows) => rows.map((tr) => Number(tr.getAttribute('data-id'))));
    const newestFirst = await ids();
    expect(newestFirst).toEqual([...newestFirst].sort((a, b) => b - a));

    await page.locator('thead th.col-id a').click();   // newest first → oldest first
    await poll(ids).toEqual([...newestFirst].sort((a, b) => a - b));
    expect(await page.locator('thead th.col-id').getAttribute('aria-sort')).toBe('ascending');

    await page.locator('thead th.col-task a').click();
    await poll(async () => page.locator('#job-rows tr').evaluateAll((rows) => rows.map((tr) => tr.getAttribute('data-task')))).toEqual(
      ['echo', 'fail', 'gate', 'send-mail', 'thumbnail'],
    );

    await page.goto(jobsUrl(ROOT));
    await page.locator('select[name="status"]').selectOption('error');
    await page.waitForURL(/status=error/);
    await poll(() => page.locator('#job-rows tr').count()).toBe(1);
    await expectText(page.locator('#job-rows'), 'fail');

    await page.goto(jobsUrl(ROOT));
    await page.locator('select[name="task"]').selectOption('thumbnail');
    await page.waitForURL(/task=thumbnail/);
    await poll(async () => page.locator('#job-rows tr').evaluateAll((rows) => [...new Set(rows.map((tr) => tr.getAttribute('data-task')))])).toEqual(['thumbnail']);

    const [first] = newestFirst;
    await page.goto(jobsUrl(ROOT));
    await page.getByLabel('Find job').fill(String(first));
    await page.getByRole('button', { name: 'Find' }).click();
    await poll(ids).toEqual([first]);
    await page.getByLabel('Find job').fill('999999');
    await page.getByRole('button', { name: 'Find' }).click();
    await expectText(page.locator('.empty'), `There is no job 999999 in ${ROOT}.`);
  });

  it('pages through the jobs with next and previous', async () => {
    for (let n = 0; n < 60; n++) await addJob(REPORTS, 'echo', { page: n });
    await page.goto(jobsUrl(REPORTS));
    await poll(() => page.locator('#job-rows tr').count()).toBe(50);
    const firstPage = await page.locator('#job-rows tr').first().getAttribute('data-id');
    await page.getByRole('link', { name: 'Next ›' }).click();
    await expectText(page.locator('.pager__page'), 'page 2');
    // 60 new ones and the 3 from the overview test.
    await poll(() => page.locator('#job-rows tr').count()).toBe(13);
    await page.getByRole('link', { name: '‹ Previous' }).click();
    await expectText(page.locator('.pager__page'), 'page 1');
    expect(await page.locator('#job-rows tr').first().getAttribute('data-id')).toBe(firstPage);
    await page.locator('select[name="limit"]').selectOption('100');
    await poll(() => page.locator('#job-rows tr').count()).toBe(63);
  });
});

describe('actions', () => {
  it('cancels the selected jobs, all jobs, and removes the finished ones, with the seed\'s messages', async () => {
    await page.goto(jobsUrl(REPORTS));
    await page.getByRole('button', { name: 'Cancel selected' }).click();
    await expectText(page.locator('.flash'), 'No jobs were selected.');

    const queued = await page.locator('#job-rows tr[data-status="queued"]').evaluateAll((rows) => rows.slice(0, 2).map((tr) => Number(tr.getAttribute('data-id'))));
    for (const id of queued) await row(id).locator('input[name="ids"]').check();
    await page.getByRole('button', { name: 'Cancel selected' }).click();
    await expectText(page.locator('.flash'), 'Jobs were successfully cancelled.');
    for (const id of queued) await expectText(badgeOf(id), 'cancelled');
    await expectText(page.locator('#status-chips'), 'cancelled 2');

    await page.getByRole('button', { name: 'Cancel all' }).click();
    await expectText(page.locator('.flash'), 'All jobs cancelled');
    await poll(() => page.locator('#job-rows tr[data-status="queued"]').count()).toBe(0);

    // 61 cancelled jobs (60 of the paging test, 1 of the overview's) and the overview's 2 completed ones.
    await page.getByRole('button', { name: 'Remove finished jobs' }).click();
    await expectText(page.locator('.flash'), 'Cleaned 63 Jobs');
    await expectText(page.locator('.empty'), 'No jobs yet.');
  });

  it('adds a job that starts later, and starts it from its page', async () => {
    await page.goto(`${server.url}/services/${REPORTS}/jobs/new`);
    await page.getByLabel('Task').selectOption('echo');
    await page.getByLabel('Input').fill('{"later": true}');
    await page.getByLabel('Start later').check();
    await page.getByRole('button', { name: 'Add job' }).click();
    await expectText(page.locator('.flash'), 'it waits in "start later"');
    const id = Number(/Job (\d+) added/.exec(await page.locator('.flash').innerText())![1]);
    await expectText(badgeOf(id), 'start later');
    await row(id).getByRole('link', { name: String(id) }).click();
    await page.getByRole('button', { name: 'Start' }).click();
    await expectText(page.locator('.flash'), `Job ${id} started.`);
    await expectText(page.locator('h1 .badge'), 'queued');   // Reports does not process
  });

  it('adds a job, with the input checked against the task\'s schema and the errors shown by the field', async () => {
    await page.goto(jobsUrl(ROOT));
    await page.getByRole('link', { name: 'Add job' }).first().click();
    await page.getByLabel('Task').selectOption('thumbnail');
    await expectText(page.locator('#task-hint'), 'Makes a thumbnail of a PNG file.');
    const input = page.getByLabel('Input');
    const errors = page.locator('#input-errors');

    await input.fill('{"file": "a.png", ');
    await expectText(errors, 'This is not valid JSON');        // checked as it is typed
    await input.fill('{"file": "a.png"}');
    await page.getByRole('button', { name: 'Add job' }).click();  // and on submit
    await expectText(errors, "The input must have required property 'size'");
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    await input.fill('{"file": "a.png", "size": 8}');
    await expectText(errors, 'size: must be >= 16');
    await page.getByRole('button', { name: 'Add job' }).click();
    await expectText(errors, 'size: must be >= 16');

    await input.fill('{"file": "b.png", "size": 32}');
    await expectText(errors, "The input fits the task's schema.");
    await page.getByRole('button', { name: 'Add job' }).click();
    await expectText(page.locator('.flash'), 'added.');
    const id = Number(/Job (\d+) added/.exec(await page.locator('.flash').innerText())![1]);
    await expectText(badgeOf(id), 'completed');
    await expectText(row(id).locator('.col-detail'), '{"file":"b.png","size":32}');
  });
});

describe('job page', () => {
  it('shows the input, the result, attempts and times', async () => {
    const id = await addJob(ROOT, 'echo', { greeting: 'hello' });
    await waitForStatus(ROOT, id, 'completed');
    await page.goto(jobsUrl(ROOT));
    await row(id).getByRole('link', { name: String(id) }).click();
    await expectText(page.locator('h1'), `Job ${id}`);
    await expectText(page.locator('.detail'), 'echo: greeting=hello');
    await expectText(page.locator('.facts'), '1 of 3');
    await expectText(page.locator('section', { has: page.locator('#input-title') }).locator('pre'), '"greeting": "hello"');
    await expectText(page.locator('section', { has: page.locator('#result-title') }).locator('pre'), '"greeting": "hello"');
    const labels = await page.locator('.facts dt').allTextContents();
    expect(labels).toEqual(expect.arrayContaining(['Created', 'Started', 'Completed', 'Ran for']));
  });

  it('shows the error with its stack', async () => {
    const id = await addJob(ROOT, 'fail', { why: 'test' });
    await waitForStatus(ROOT, id, 'error');
    await page.goto(`${server.url}/services/${ROOT}/jobs/${id}`);
    await expectText(page.locator('.panel--error .error-message'), 'disk full');
    await expectText(page.locator('.panel--error .stack'), 'Error: disk full');
    await expectText(page.locator('.panel--error .stack'), 'dashboard-tasks-plugin.ts');
    await expectText(page.locator('.facts'), '1 of 1');
    await screenshot(page, 'job-error');
  });

  it('follows a running job live, and cancels it', async () => {
    const id = await addJob(ROOT, 'gate', { gate: 'never' });
    await waitForStatus(ROOT, id, 'processing');
    await openLive(`${server.url}/services/${ROOT}/jobs/${id}`);
    await poll(() => page.locator('.progress--large progress').getAttribute('value')).toBe('50');
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await expectText(page.locator('h1 .badge'), 'cancelled');
  });
});

describe('cron jobs', () => {
  let cronId: number;

  it('adds a cron job from field lists, previewing the next runs', async () => {
    await page.goto(`${server.url}/services/${ROOT}/cronjobs/new`);
    await page.getByLabel('Task').selectOption('echo');
    await page.getByLabel('Input').fill('{"report": "daily"}');
    await page.getByLabel('Minute').fill('0,30');
    const preview = page.locator('#schedule-preview');
    const previewMinutes = () => preview.locator('time').evaluateAll((times) => times.map((time) => new Date(time.getAttribute('datetime')!).getUTCMinutes()));
    // The preview follows the typing: five runs, each at minute 0 or 30.
    await poll(async () => (await previewMinutes()).map((minute) => (minute === 0 || minute === 30 ? 'ok' : minute))).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);

    await page.getByLabel('Hour').fill('25');
    await expectText(preview, 'Hour: 25 is out of range 0–23');
    await page.getByLabel('Hour').fill('*');
    await poll(() => preview.locator('li').count()).toBe(5);
    await poll(() => preview.innerText()).not.toContain('out of range');
    await screenshot(page, 'cron-form');

    await page.getByRole('button', { name: 'Add cron job' }).click();
    await expectText(page.locator('.flash'), 'Cron job');
    cronId = Number(/Cron job (\d+) added/.exec(await page.locator('.flash').innerText())![1]);
    await expectText(page.locator('h1 .badge'), 'cronjob');
    await expectText(page.locator('code.schedule'), 'minute 0,30 · hour * · day of month * · month * · day of week *');
    await poll(() => page.locator('ol.next-runs li').count()).toBe(5);
    await expectText(page.locator('.detail'), 'echo: report=daily');
  });

  it('previews a cron expression in a time zone, and explains a bad one', async () => {
    await page.goto(`${server.url}/services/${ROOT}/cronjobs/new`);
    await page.getByLabel('Cron expression').check();
    await page.getByLabel('Expression', { exact: true }).fill('*/15 9-17 * * MON-FRI');
    await page.getByLabel('Time zone').fill('Europe/Berlin');
    const preview = page.locator('#schedule-preview');
    await poll(() => preview.locator('li').count()).toBe(5);
    await poll(() => preview.locator('li').first().innerText()).toMatch(/\((\d{4}-\d\d-\d\d (09|1\d):(00|15|30|45)) (GMT\+1|GMT\+2|CET|CEST)\)/);
    await page.getByLabel('Expression', { exact: true }).fill('*/15 9-17 * *');
    await expectText(preview, 'cron expressions take 5 fields');
    await page.getByLabel('Time zone').fill('Mars/Olympus');
    await page.getByLabel('Expression', { exact: true }).fill('0 9 * * *');
    await expectText(preview, 'is not an IANA time zone');
  });

  it('edits a cron job\'s schedule', async () => {
    await page.goto(`${server.url}/services/${ROOT}/jobs/${cronId}`);
    await page.getByRole('link', { name: 'Edit schedule' }).click();
    expect(await page.getByLabel('Minute').inputValue()).toBe('0,30');
    await page.getByLabel('Minute').fill('15');
    await page.getByLabel('Hour').fill('6');
    await poll(() => page.locator('#schedule-preview time').first().getAttribute('datetime')).toMatch(/T06:15:00.000Z$/);
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await expectText(page.locator('.flash'), `The schedule of job ${cronId} was saved.`);
    await expectText(page.locator('code.schedule'), 'minute 15 · hour 6');
    const runs = await page.locator('ol.next-runs time').evaluateAll((times) => times.map((time) => time.getAttribute('datetime')));
    expect(runs).toHaveLength(5);
    expect(runs.every((iso) => iso!.endsWith('T06:15:00.000Z'))).toBe(true);
  });
});

describe('safety and reach', () => {
  it('refuses a POST without the CSRF token (403)', async () => {
    await page.goto(jobsUrl(ROOT));
    const status = await page.evaluate(async (address) => {
      const response = await fetch(`/services/${address}/cancel-all`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      return { status: response.status, text: await response.text() };
    }, ROOT);
    expect(status.status).toBe(403);
    expect(status.text).toContain('CSRF token is missing or wrong');
  });

  it('loads everything from its own server (works offline)', async () => {
    const foreign = requested.filter((url) => !url.startsWith(server.url) && !url.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(requested.some((url) => url.includes('/assets/htmx.min.js'))).toBe(true);
  });

  it('is loaded by `remotetask serve` by default, and left out with --no-dashboard', async () => {
    await server.process.waitForOutput(/plugins echo, dashboard-tasks, http, dashboard, services/);
    const apiOnly = await startServer({ plugins: ['echo'], sites: { '': { services: { S: {} } } } }, {}, ['--no-dashboard']);
    try {
      await apiOnly.process.waitForOutput(/plugins echo, dashboard-tasks, http, services/);
      expect((await fetch(`${apiOnly.url}/`)).status).toBe(404);
      expect((await apiOnly.api('/api/sites')).status).toBe(200);
    } finally {
      await apiOnly.stop();
    }
  });

  it('is readable on a phone: the table turns into cards', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(jobsUrl(ROOT));
    // (Page code: the project's TypeScript has no DOM library, so the browser's globals are typed here.)
    type BrowserGlobals = { getComputedStyle(element: unknown): { display: string }; document: { documentElement: { scrollWidth: number; clientWidth: number } } };
    const display = await phone.locator('#job-rows tr').first().evaluate((tr) => (globalThis as unknown as BrowserGlobals).getComputedStyle(tr).display);
    expect(display).toBe('block');
    const overflow = await phone.evaluate(() => {
      const { documentElement } = (globalThis as unknown as BrowserGlobals).document;
      return documentElement.scrollWidth - documentElement.clientWidth;
    });
    expect(overflow).toBe(0);
    await screenshot(phone, 'jobs-phone');
    await phone.close();
  });
});

// Last: its job would change the counts the tests above check.
describe('live updates', () => {
  it('shows a change made between the page\'s rendering and its subscription', async () => {
    const id = await addJob(REPORTS, 'echo', { gap: true });   // Reports does not process: it waits
    // Hold the page's event stream until the job has changed, as a slow network would.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/events\?/, async (route) => {
      await released;
      await route.continue();
    });
    try {
      await page.goto(jobsUrl(REPORTS));
      await expectText(badgeOf(id), 'queued');
      expect((await server.api(`/api/services/${encodeURIComponent(REPORTS)}/jobs/${id}/cancel`, { body: {} })).status).toBe(200);
      release();
      await page.locator('#live[data-state="open"]').waitFor();
      await expectText(badgeOf(id), 'cancelled');
    } finally {
      release();
      await page.unroute(/\/events\?/);
    }
  });
});
