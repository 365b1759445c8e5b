/**
 * A real Chromium visiting an attacker's page while a remotetask server without users runs on
 * loopback: the page, on another site (evil.test, mapped to 127.0.0.1 in the browser), fires
 * every request a page can send without a CORS preflight — no-cors fetches with text/plain, form
 * and multipart bodies, body-less POSTs, plain `<form>` posts — and none takes effect: the server
 * receives each one (its log says so) and refuses it. A page that rebinds its own name to
 * 127.0.0.1 gets 421 for everything. With users, a sign-in link whose `next` is `/%09/evil.test`
 * still lands on the server's own page. The server's own dashboard and the CLI keep working.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../plugins/http/auth/hash-password.js';
import { launchBrowser, poll, startServer, type TestBrowser, type TestServer } from './helpers/browser.js';
import { runCli } from './helpers/run-process.js';

const ROOT = '/api/services/@RootTaskService';
const ADD_XML = '<?xml version="1.0"?><methodCall><methodName>add</methodName><params><param><value><string>echo</string></value></param></params></methodCall>';

/** The attacker's server: one page, and a record of every request it got. */
interface Attacker {
  port: number;
  seen: string[];
  close(): Promise<void>;
}

async function startAttacker(page: (attackerPort: number) => string): Promise<Attacker> {
  const seen: string[] = [];
  let port = 0;
  const server: Server = createServer((request, response) => {
    seen.push(`${request.method} ${request.headers.host}${request.url}`);
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(port));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return { port, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Everything the attacker's page fires at `target`, and its forms. The title says when the fetches are out. */
function attackPage(target: string, queued: number, later: number): string {
  const fetches = `
    const target = ${JSON.stringify(target)};
    const post = (path, init = {}) => fetch(target + path, { method: 'POST', mode: 'no-cors', credentials: 'include', ...init }).then(() => 'sent', (error) => 'failed ' + error);
    const upload = new FormData();
    upload.append('file', new Blob(['evil bytes']), 'evil.txt');
    Promise.all([
      post('/xmlrpc/@RootTaskService', { headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(ADD_XML)} }),
      post('/xmlrpc/@RootTaskService', { body: ${JSON.stringify(ADD_XML)} }),
      post('${ROOT}/jobs', { headers: { 'content-type': 'text/plain' }, body: '{"task":"echo","input":"evil"}' }),
      post('${ROOT}/jobs/${queued}/cancel'),
      post('${ROOT}/jobs/${later}/start'),
      post('${ROOT}/jobs/cancel-all'),
      post('/api/files', { body: upload }),
      post('/services/@RootTaskService/cancel-all', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '_csrf=guess' }),
    ]).then((results) => {
      const file = new DataTransfer();
      file.items.add(new File(['evil bytes'], 'evil.txt'));
      document.getElementById('upload').elements.file.files = file.files;
      for (const form of document.forms) form.submit();
      document.title = 'fired: ' + results.join(', ');
    });`;
  // A text/plain form sends `name=value`: the name and value are split around an "=" of the XML.
  const [xmlName, xmlValue] = ['<?xml version="1.0"?><methodCall><methodName>add</methodName><params><param><value><string>echo</string></value></param><param><value><string>a', 'b</string></value></param></params></methodCall>'];
  const attr = (text: string) => text.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/</g, '&lt;');
  const forms = [
    `<form action="${target}/xmlrpc/@RootTaskService" method="post" enctype="text/plain" target="sink0"><input name='${attr(xmlName)}' value='${attr(xmlValue)}'></form>`,
    `<form id="upload" action="${target}/api/files" method="post" enctype="multipart/form-data" target="sink1"><input type="file" name="file"></form>`,
    `<form action="${target}${ROOT}/jobs/${queued}/cancel" method="post" target="sink2"></form>`,
    `<form action="${target}${ROOT}/jobs/cancel-all" method="post" enctype="text/plain" target="sink3"><input name="x" value="y"></form>`,
    `<form action="${target}/services/@RootTaskService/cancel-all" method="post" target="sink4"><input name="_csrf" value="guess"></form>`,
  ];
  const sinks = forms.map((_, index) => `<iframe name="sink${index}"></iframe>`).join('');
  return `<!doctype html><html><head><title>cute cats</title></head><body>${forms.join('')}${sinks}<script>${fetches}</script></body></html>`;
}

/** The requests the server logged (`http` level), as `METHOD path status`. */
function logged(server: TestServer): string[] {
  return [...server.process.output().matchAll(/(POST|GET|DELETE) (\S+) (\d{3}) [\d.]+ ms/g)].map((match) => `${match[1]} ${match[2]} ${match[3]}`);
}

describe('without users, a page of another site', { timeout: 120_000 }, () => {
  let server: TestServer;
  let attacker: Attacker;
  let browser: TestBrowser;
  let page: Page;
  let port: number;

  beforeAll(async () => {
    server = await startServer({
      store: { kind: 'memory' },
      plugins: ['echo', ['files', { dir: 'uploads' }]],
      sites: { '': { services: { RootTaskService: {} } } },
      // Nothing processes: a queued job stays queued unless someone cancels it.
      autostart: [],
      log: { level: 'http' },
    });
    port = Number(new URL(server.url).port);
    browser = await launchBrowser([`--host-resolver-rules=MAP evil.test 127.0.0.1, MAP rebind.test 127.0.0.1`]);
    page = await browser.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await attacker?.close();
    await server?.stop();
  });

  const jobs = async () => (await server.api(`${ROOT}/jobs?limit=1000`)).body.jobs as Array<{ id: number; status: string; input: unknown }>;
  const uploads = () => {
    const dir = join(server.dir, 'uploads');
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  it('adds, cancels, starts and uploads nothing: every request reaches the server and is refused', async () => {
    const queued = (await server.api(`${ROOT}/jobs`, { body: { task: 'echo', input: 'queued' } })).body.id as number;
    const later = (await server.api(`${ROOT}/jobs`, { body: { task: 'echo', input: 'later', startLater: true } })).body.id as number;
    const before = await jobs();
    const earlier = logged(server).length;
    attacker = await startAttacker(() => attackPage(server.url, queued, later));

    await page.goto(`http://evil.test:${attacker.port}/`);
    await poll(() => page.title()).toMatch(/^fired: sent, sent, sent, sent, sent, sent, sent, sent$/);
    // 8 fetches and 5 forms: wait until the server has logged all 13 POSTs of the page.
    const attacks = () => logged(server).slice(earlier).filter((line) => line.startsWith('POST '));
    await poll(() => attacks().length).toBe(13);
    for (const line of attacks()) expect(line, line).toMatch(/ 403$/);
    for (const path of ['/xmlrpc/@RootTaskService', `${ROOT}/jobs`, `${ROOT}/jobs/${queued}/cancel`, `${ROOT}/jobs/${later}/start`, `${ROOT}/jobs/cancel-all`, '/api/files', '/services/@RootTaskService/cancel-all']) {
      expect(attacks().some((line) => line.startsWith(`POST ${path} `)), path).toBe(true);
    }

    expect(await jobs()).toEqual(before);
    expect(before.map((job) => job.status).sort()).toEqual(['queued', 'start later']);
    expect(uploads()).toEqual([]);
  });

  it('cannot rebind its own name to this server: every request to a foreign Host gets 421, reads included', async () => {
    const response = await page.goto(`http://rebind.test:${port}/`);
    expect(response?.status()).toBe(421);
    // Now "same-origin" to the rebound name, the page could read any answer: there is nothing to read.
    const answers = await page.evaluate(async (root) => {
      const read = await fetch(`${root}/jobs`);
      const add = await fetch(`${root}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"task":"echo","input":"rebound"}' });
      return { read: read.status, readBody: await read.text(), add: add.status };
    }, ROOT);
    expect(answers).toMatchObject({ read: 421, add: 421 });
    expect(answers.readBody).toMatch(/"code":"unknown_host"/);
    expect(answers.readBody).not.toMatch(/"jobs"/);
    expect((await jobs()).some((job) => job.input === 'rebound')).toBe(false);
  });

  it('leaves the server\'s own dashboard and the CLI working', async () => {
    const before = (await jobs()).length;
    for (const origin of [server.url, `http://localhost:${port}`]) {
      await page.goto(`${origin}/services/@RootTaskService/jobs/new`);
      await page.getByLabel('Task').selectOption('echo');
      await page.getByLabel('Input').fill(JSON.stringify({ from: origin }));
      await page.getByRole('button', { name: 'Add job' }).click();
      await poll(async () => (await jobs()).some((job) => JSON.stringify(job.input) === JSON.stringify({ from: origin }))).toBe(true);
    }
    const added = await runCli(['add', 'echo', '"from the CLI"', '--url', server.url]);
    expect(added.code, added.stderr).toBe(0);
    const id = Number(added.stdout.trim());
    expect((await runCli(['cancel', String(id), '--url', server.url])).code).toBe(0);
    expect((await server.api(`${ROOT}/jobs/${id}`)).body.status).toBe('cancelled');
    expect((await jobs()).length).toBe(before + 3);
  });
});

describe('with users, a sign-in link to another site', { timeout: 120_000 }, () => {
  let server: TestServer;
  let attacker: Attacker;
  let browser: TestBrowser;

  beforeAll(async () => {
    attacker = await startAttacker(() => '<!doctype html><title>evil</title><p>you left the server');
    server = await startServer({
      store: { kind: 'memory' },
      plugins: ['echo'],
      sites: { '': { services: { RootTaskService: {} } } },
      autostart: [],
      http: { users: { ada: { role: 'manager', passwordHash: await hashPassword('ada-secret') } } },
    });
    browser = await launchBrowser([`--host-resolver-rules=MAP evil.test 127.0.0.1`]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await attacker?.close();
    await server?.stop();
  });

  it('lands on the server\'s own page after signing in, whatever `next` says', async () => {
    const evil = `evil.test:${attacker.port}`;
    for (const next of [`/%09/${evil}/`, `/%0A/${evil}/`, `/%0D%0A/${evil}/`, `/%5C${evil}/`, `/%09%09/${evil}/`, `//${evil}/`, `http://${evil}/`, `/%20/${evil}/`]) {
      await browser.context.clearCookies();
      const page = await browser.newPage();
      await page.goto(`${server.url}/login?next=${next}`);
      await page.getByLabel('User name').fill('ada');
      await page.getByLabel('Password').fill('ada-secret');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => !url.pathname.startsWith('/login'));
      expect(new URL(page.url()).origin, next).toBe(server.url);
      // Signed in, the sign-in page redirects at once: to the same safe place.
      await page.goto(`${server.url}/login?next=${next}`);
      expect(new URL(page.url()).origin, next).toBe(server.url);
      await page.close();
    }
    // A local `next` still works.
    await browser.context.clearCookies();
    const page = await browser.newPage();
    await page.goto(`${server.url}/login?next=/services/@RootTaskService/jobs`);
    await page.getByLabel('User name').fill('ada');
    await page.getByLabel('Password').fill('ada-secret');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await poll(() => page.url()).toBe(`${server.url}/services/@RootTaskService/jobs`);
    expect(attacker.seen).toEqual([]);
  });
});
