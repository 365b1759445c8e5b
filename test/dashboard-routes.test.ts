/**
 * The dashboard's routes in process (no browser): paging through 100 000 jobs by keyset cursor,
 * sessions, CSRF, roles, redirects, security headers, assets and the batched live stream.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, definePlugin, type Kernel, type RemotetaskConfig } from '../core/index.js';
import { DetailRenderers } from '../plugins/dashboard/index.js';
import { hashPassword, httpServerOf } from '../plugins/http/index.js';
import { captureLog, type CapturedLog } from './helpers/capture-log.js';
import { httpTestTasks } from './helpers/http-test-kernel.js';

const JOBS = 100_000;

/** A renderer that throws: the page must still show, with the input instead. */
const brokenRenderer = definePlugin({
  name: 'broken-renderer',
  register(ctx) {
    ctx.contribute(DetailRenderers, { task: 'greet', detail: () => { throw new Error('renderer bug'); } });
  },
});

async function boot(config: Partial<RemotetaskConfig> = {}): Promise<{ kernel: Kernel; app: FastifyInstance; log: CapturedLog }> {
  const log = captureLog();
  const kernel = await createKernel(
    {
      store: { kind: 'memory' },
      plugins: ['echo', httpTestTasks, brokenRenderer, 'http', 'dashboard'],
      sites: { '': { services: { RootTaskService: {} } }, site1: { services: { Big: {} } } },
      http: { port: 0, ...config.http },
      ...config,
    },
    { autostart: false, logger: log.logger },
  );
  return { kernel, app: httpServerOf(kernel)!.app, log };
}

/** The session cookie a response set, as a request's Cookie header. */
function cookieOf(response: { headers: Record<string, unknown> }): string {
  const header = String(response.headers['set-cookie']);
  return header.split(';')[0];
}

const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)![1];
const rowIds = (body: string) => [...body.matchAll(/<tr id="job-(\d+)"/g)].map((match) => Number(match[1]));
const linkOf = (body: string, rel: string) => /<a href="([^"]+)" rel="next">/.exec(body) && rel === 'next'
  ? /<a href="([^"]+)" rel="next">/.exec(body)![1].replace(/&amp;/g, '&')
  : /<a href="([^"]+)" rel="prev">/.exec(body)![1].replace(/&amp;/g, '&');

describe('without users', () => {
  let kernel: Kernel;
  let app: FastifyInstance;
  let log: CapturedLog;

  beforeAll(async () => {
    ({ kernel, app, log } = await boot());
    const big = kernel.getService('site1@Big');
    for (let n = 0; n < JOBS; n++) await big.add(n % 10 === 0 ? 'greet' : 'echo', n % 10 === 0 ? { name: `n${n}` } : { n });
  }, 120_000);
  afterAll(async () => {
    await httpServerOf(kernel)?.close();
    await kernel.close();
  });

  it(`pages through ${JOBS.toLocaleString('en-US')} jobs by keyset cursor, forward and back`, async () => {
    const first = await app.inject(`/services/site1@Big/jobs`);
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('all <b>100,000</b>');
    expect(rowIds(first.body)).toEqual(Array.from({ length: 50 }, (_, index) => JOBS - index));

    const second = await app.inject(linkOf(first.body, 'next'));
    expect(rowIds(second.body)[0]).toBe(JOBS - 50);
    expect(second.body).toContain('page 2');
    const third = await app.inject(linkOf(second.body, 'next'));
    expect(rowIds(third.body)).toEqual(Array.from({ length: 50 }, (_, index) => JOBS - 100 - index));
    const back = await app.inject(linkOf(third.body, 'prev'));
    expect(rowIds(back.body)).toEqual(rowIds(second.body));
    const backToFirst = await app.inject(linkOf(back.body, 'prev'));
    expect(rowIds(backToFirst.body)).toEqual(rowIds(first.body));
  });

  it('filters by task and status, sorts, finds by id, with the default detail where a renderer fails', async () => {
    const greet = await app.inject('/services/site1@Big/jobs?task=greet&sort=id&limit=25');
    const ids = rowIds(greet.body);
    expect(ids).toEqual(Array.from({ length: 25 }, (_, index) => 1 + index * 10));
    expect(greet.body).toContain('{&quot;name&quot;:&quot;n0&quot;}');
    expect(log.records.filter((record) => record.message.includes('renderer bug'))).toHaveLength(1);

    const found = await app.inject('/services/site1@Big/jobs?id=12345');
    expect(rowIds(found.body)).toEqual([12345]);
    expect(found.body).toContain('echo: n=12344');
    const queued = await app.inject('/services/site1@Big/jobs?status=queued&sort=-created');
    expect(rowIds(queued.body)).toHaveLength(50);
    expect((await app.inject('/services/site1@Big/jobs?status=lost')).statusCode).toBe(400);
    expect((await app.inject('/services/site1@Big/jobs?cursor=bogus')).body).toContain('This page link is out of date');
  });

  it('answers unknown services and jobs with a page that says so', async () => {
    const service = await app.inject('/services/@Nope/jobs');
    expect(service.statusCode).toBe(404);
    expect(service.headers['content-type']).toContain('text/html');
    expect(service.body).toContain('service &quot;Nope&quot; not found');
    expect((await app.inject('/services/site1@Big/jobs/999999999')).statusCode).toBe(404);
    expect((await app.inject('/services/site1@Big/jobs/abc')).statusCode).toBe(400);
  });

  it('sends security headers and a session cookie, and caches versioned assets for good', async () => {
    const page = await app.inject('/');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(String(page.headers['set-cookie'])).toMatch(/^remotetask_session=[\w-]+\.[\w-]+; Path=\/; HttpOnly; SameSite=Lax$/);
    const htmx = /src="(\/assets\/htmx\.min\.js\?v=\w+)"/.exec(page.body)![1];
    const asset = await app.inject(htmx);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toContain('javascript');
    expect((await app.inject({ url: '/assets/dashboard.css', headers: { 'if-none-match': asset.headers.etag as string } })).statusCode).toBe(200);
    const css = await app.inject('/assets/dashboard.css');
    expect(css.headers['cache-control']).toBe('no-cache');
    expect((await app.inject({ url: '/assets/dashboard.css', headers: { 'if-none-match': css.headers.etag as string } })).statusCode).toBe(304);
  });

  it('checks the CSRF token on every POST and goes back only to its own pages', async () => {
    const page = await app.inject('/services/@RootTaskService/jobs');
    const cookie = cookieOf(page);
    const form = (fields: Record<string, string>) => ({
      method: 'POST' as const,
      url: '/services/@RootTaskService/cancel',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });
    expect((await app.inject(form({}))).statusCode).toBe(403);
    expect((await app.inject({ ...form({}), headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBe(403);
    const ok = await app.inject(form({ _csrf: csrfOf(page.body), _back: '/services/@RootTaskService/jobs?status=queued' }));
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/services/@RootTaskService/jobs?status=queued');
    const away = await app.inject(form({ _csrf: csrfOf(page.body), _back: '//evil.example/' }));
    expect(away.headers.location).toBe('/services/@RootTaskService/jobs');
    // The token also works as a header (htmx sends it so).
    const check = await app.inject({ ...form({ task: 'greet', input: '{}' }), url: '/services/@RootTaskService/jobs/check', headers: { ...form({}).headers, 'x-csrf-token': csrfOf(page.body) } });
    expect(check.body).toContain('The input must have required property');
    // The flash is the next page's: "No jobs were selected." from the first accepted POST.
    expect((await app.inject({ url: '/services/@RootTaskService/jobs', headers: { cookie } })).body).toContain('No jobs were selected.');
  });

  it('starts a page\'s stream at the event the page was rendered at, and asks for a resync when it cannot', async () => {
    const { url } = httpServerOf(kernel)!;
    const address = '@RootTaskService';
    const page = await fetch(`${url}/services/${encodeURIComponent(address)}/jobs`);
    const cookie = cookieOf({ headers: { 'set-cookie': page.headers.get('set-cookie') } });
    const since = /data-events-since="([^"]+)"/.exec(await page.text())?.[1];
    expect(since).toMatch(/^[0-9a-f]+-\d+$/);
    // Added after the page was rendered, before its stream opened.
    const id = await kernel.getService(address).add('echo', { gap: true });
    const firstMessage = async (query: string, event: string) => {
      const controller = new AbortController();
      const response = await fetch(`${url}/events?service=${encodeURIComponent(address)}&${query}`, { headers: { cookie }, signal: controller.signal });
      const reader = response.body!.getReader();
      let text = '';
      const pattern = new RegExp(`event: ${event}\\ndata: (.*)\\n\\n`);
      while (!pattern.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      controller.abort();
      return JSON.parse(pattern.exec(text)![1]);
    };
    expect(await firstMessage(`since=${encodeURIComponent(since!)}`, 'jobs')).toContainEqual({ service: address, id, task: 'echo', status: 'queued', added: true });
    expect(await firstMessage('since=0-1', 'resync')).toEqual({});
  });

  it('streams job changes live in batches: one message for a burst', async () => {
    const { url } = httpServerOf(kernel)!;
    const page = await fetch(`${url}/`);
    const cookie = cookieOf({ headers: { 'set-cookie': page.headers.get('set-cookie') } });
    const controller = new AbortController();
    const response = await fetch(`${url}/events?service=${encodeURIComponent('@RootTaskService')}`, { headers: { cookie }, signal: controller.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await readUntil(/event: ready/);
    const service = kernel.getService('@RootTaskService');
    const ids = [await service.add('echo', { a: 1 }), await service.add('echo', { a: 2 }), await service.add('echo', { a: 3 })];
    await kernel.getService('site1@Big').add('echo', { elsewhere: true });
    await readUntil(/event: jobs\ndata: .*\n\n/);
    const [, data] = /event: jobs\ndata: (.*)\n\n/.exec(text)!;
    expect(JSON.parse(data)).toEqual(ids.map((id) => ({ service: '@RootTaskService', id, task: 'echo', status: 'queued', added: true })));

    // Shutting the server down ends open streams (else closing would wait for the browser).
    await httpServerOf(kernel)!.close();
    while (!(await reader.read()).done);
    controller.abort();
  });
});

describe('with users', () => {
  let kernel: Kernel;
  let app: FastifyInstance;

  beforeAll(async () => {
    ({ kernel, app } = await boot({
      http: { port: 0, users: { ada: { role: 'manager', passwordHash: await hashPassword('pw-ada') }, vic: { role: 'viewer', passwordHash: await hashPassword('pw-vic') } } },
    }));
  });
  afterAll(async () => {
    await httpServerOf(kernel)?.close();
    await kernel.close();
  });

  async function signIn(user: string, password: string): Promise<{ cookie: string; csrf: string; status: number }> {
    const login = await app.inject('/login?next=/services/@RootTaskService/jobs');
    const response = await app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: cookieOf(login), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrfOf(login.body), user, password, next: '/services/@RootTaskService/jobs' }).toString(),
    });
    if (response.statusCode !== 303) return { cookie: '', csrf: '', status: response.statusCode };
    const cookie = cookieOf(response);
    const page = await app.inject({ url: response.headers.location as string, headers: { cookie } });
    return { cookie, csrf: csrfOf(page.body), status: response.statusCode };
  }

  it('sends visitors to sign in: pages by redirect, htmx by HX-Redirect, the event stream with 401', async () => {
    const page = await app.inject('/services/@RootTaskService/jobs?status=queued');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login?next=%2Fservices%2F%40RootTaskService%2Fjobs%3Fstatus%3Dqueued');
    const fragment = await app.inject({ url: '/', headers: { 'hx-request': 'true' } });
    expect(fragment.statusCode).toBe(204);
    expect(fragment.headers['hx-redirect']).toBe('/login?next=%2F');
    expect((await app.inject({ url: '/events', headers: { accept: 'text/event-stream' } })).statusCode).toBe(401);
    expect((await app.inject('/assets/dashboard.css')).statusCode).toBe(200);
  });

  it('refuses a wrong password and lets a manager act', async () => {
    expect((await signIn('ada', 'nope')).status).toBe(401);
    const { cookie, csrf } = await signIn('ada', 'pw-ada');
    const response = await app.inject({
      method: 'POST',
      url: '/services/@RootTaskService/processing',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, action: 'start' }).toString(),
    });
    expect(response.statusCode).toBe(303);
    expect(kernel.getService('@RootTaskService').isProcessing()).toBe(true);
    await kernel.getService('@RootTaskService').stopProcessing();
  });

  it('refuses a viewer\'s POST (403) before reading it', async () => {
    const { cookie, csrf } = await signIn('vic', 'pw-vic');
    const response = await app.inject({
      method: 'POST',
      url: '/services/@RootTaskService/processing',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, action: 'start' }).toString(),
    });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('User &quot;vic&quot; is a viewer and may only look');
    expect(kernel.getService('@RootTaskService').isProcessing()).toBe(false);
  });
});
