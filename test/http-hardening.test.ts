/**
 * The smaller holes, over a real socket: deep JSON, broken multipart, a second file, prototype keys
 * by every way in (one rule), coerced types, 414 and 431 in the API's error shape, and files this
 * machine's other users cannot read.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kernel } from '../core/index.js';
import { buildHttpApp, httpServerOf } from '../plugins/http/index.js';
import { createHttpTestKernel, jobCount } from './helpers/http-test-kernel.js';

const ROOT = '/api/services/@RootTaskService';

let dir: string;
let kernel: Kernel;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'remotetask-hardening-'));
  kernel = await createHttpTestKernel({
    store: { kind: 'sqlite', path: join(dir, 'data', 'jobs.db') },
    plugins: ['echo', ['files', { dir: join(dir, 'uploads') }], 'http', 'dashboard'],
    http: { port: 0 },
  });
  app = httpServerOf(kernel)!.app;
  base = httpServerOf(kernel)!.url;
});
afterAll(async () => {
  await kernel?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: string, type?: string): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(`${base}${path}`, { method, body, headers: type ? { 'content-type': type } : {} });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text };
}

/** A refused request: its status, the API's error shape with this code, and nothing stored. */
async function refused(request: () => Promise<{ status: number; body: any }>, status: number, code: string, message: RegExp): Promise<void> {
  const before = await jobCount(kernel);
  const answer = await request();
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body.error.code).toBe(code);
  expect(answer.body.error.message).toMatch(message);
  expect(await jobCount(kernel)).toBe(before);
}

const xmlrpcAdd = (input: string) =>
  `<?xml version="1.0"?><methodCall><methodName>add</methodName><params><param><value><string>echo</string></value></param><param><value>${input}</value></param></params></methodCall>`;

describe('JSON bodies', () => {
  it('refuses JSON nested 4,500 levels deep with a 400, not a 500', async () => {
    const deep = `{"task":"echo","input":${'['.repeat(4500)}${']'.repeat(4500)}}`;
    await refused(() => call('POST', `${ROOT}/jobs`, deep, 'application/json'), 400, 'invalid_json', /nests arrays and objects 4501 levels deep; at most 64 are accepted/);
    const fine = `{"task":"echo","input":${'['.repeat(60)}${']'.repeat(60)}}`;
    expect((await call('POST', `${ROOT}/jobs`, fine, 'application/json')).status).toBe(201);
    // Brackets inside strings are text, not nesting.
    expect((await call('POST', `${ROOT}/jobs`, JSON.stringify({ task: 'echo', input: '['.repeat(5000) }), 'application/json')).status).toBe(201);
  });

  it('takes no coerced types: a list for a string, a string for a number or a boolean', async () => {
    await refused(() => call('POST', `${ROOT}/jobs`, '{"task":["echo"]}', 'application/json'), 400, 'bad_request', /body\/task must be string/);
    await refused(() => call('POST', `${ROOT}/jobs`, '{"task":"echo","startLater":"true"}', 'application/json'), 400, 'bad_request', /body\/startLater must be boolean/);
    await refused(() => call('POST', `${ROOT}/jobs`, '{"task":"echo","timeout":"1e3"}', 'application/json'), 400, 'bad_request', /body\/timeout must be integer/);
    await refused(() => call('GET', `${ROOT}/jobs?limit=1e3`), 400, 'bad_request', /querystring\/limit must be a whole number in plain decimal digits/);
    await refused(() => call('GET', `${ROOT}/jobs/0x10`), 400, 'bad_request', /params\/id must be a whole number in plain decimal digits/);
    expect((await call('GET', `${ROOT}/jobs?limit=10&status=queued`)).status).toBe(200);
  });
});

describe('one rule for prototype keys, every way in', () => {
  it('REST, XML-RPC and the dashboard\'s form refuse __proto__, and constructor holding a prototype', async () => {
    await refused(() => call('POST', `${ROOT}/jobs`, '{"task":"echo","input":{"__proto__":{"x":1}}}', 'application/json'), 400, 'invalid_json', /may not hold the key "__proto__"/);
    for (const [key, inner] of [['__proto__', '<int>1</int>'], ['constructor', '<struct><member><name>prototype</name><value><int>1</int></value></member></struct>']]) {
      const before = await jobCount(kernel);
      const answer = await call('POST', '/xmlrpc/@RootTaskService', xmlrpcAdd(`<struct><member><name>${key}</name><value>${inner}</value></member></struct>`), 'text/xml');
      expect(answer.text).toMatch(new RegExp(`<int>-32600</int>.*may not hold the key &quot;${key}&quot;|may not hold the key "${key}"`, 's'));
      expect(await jobCount(kernel)).toBe(before);
    }
    // The dashboard's add form, with its session and CSRF token as a browser has them.
    const page = await fetch(`${base}/services/@RootTaskService/jobs/new`);
    const cookie = String(page.headers.get('set-cookie')).split(';')[0];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    for (const input of ['{"__proto__":{"x":1}}', '{"a":{"constructor":{"prototype":{}}}}']) {
      const before = await jobCount(kernel);
      const response = await fetch(`${base}/services/@RootTaskService/jobs`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, task: 'echo', input }).toString(),
      });
      expect(response.status).toBe(422);
      expect(await response.text()).toMatch(/This may not hold the key &quot;(__proto__|constructor)&quot;|This may not hold the key "(__proto__|constructor)"/);
      expect(await jobCount(kernel)).toBe(before);
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('the dashboard', () => {
  /** A form posted as the dashboard's own page posts it: with the session's cookie and CSRF token. */
  async function postForm(path: string, fields: Record<string, string>): Promise<{ status: number; text: string }> {
    const page = await fetch(`${base}/services/@RootTaskService/jobs/new`);
    const cookie = String(page.headers.get('set-cookie')).split(';')[0];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
      redirect: 'manual',
    });
    return { status: response.status, text: await response.text() };
  }

  it('bounds a delayed job\'s delay as the API does, and reads a job id to find in plain digits only', async () => {
    const before = await jobCount(kernel);
    const refused = await postForm('/services/@RootTaskService/cronjobs', { task: 'echo', input: '', mode: 'delay', delay: '1e300' });
    expect(refused.status).toBe(422);
    expect(refused.text).toMatch(/delay must be a positive number of seconds, at most 3155760000 \(100 years\)/);
    expect(await jobCount(kernel)).toBe(before);
    expect((await postForm('/services/@RootTaskService/cronjobs', { task: 'echo', input: '', mode: 'delay', delay: '60' })).status).toBe(303);

    for (const id of ['0x10', '1e3', '1.0']) {
      const response = await fetch(`${base}/services/@RootTaskService/jobs?id=${encodeURIComponent(id)}`);
      expect(response.status, id).toBe(400);
      expect(await response.text()).toContain(`&quot;${id}&quot; is not a job id`);
    }
    expect((await fetch(`${base}/services/@RootTaskService/jobs?id=${encodeURIComponent('#1')}`)).status).toBe(200);
  });
});

describe('uploads', () => {
  const boundary = 'b0undary';
  const part = (name: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}.txt"\r\nContent-Type: text/plain\r\n\r\nhello ${name}\r\n`;
  const stored = () => readdirSync(join(dir, 'uploads')).filter((name) => !name.startsWith('.')).sort();

  it('answers multipart without a boundary, or cut short, with a 400', async () => {
    const before = stored();
    for (const [type, body] of [
      ['multipart/form-data', `${part('a')}--${boundary}--\r\n`],
      [`multipart/form-data; boundary=${boundary}`, part('a').slice(0, 60)],
      [`multipart/form-data; boundary=${boundary}`, part('a')],
    ]) {
      const answer = await call('POST', '/api/files', body, type);
      expect(answer.status, body).toBe(400);
      expect(answer.body.error.code).toBe('invalid_multipart');
      expect(answer.body.error.message).toMatch(/not well-formed multipart\/form-data/);
    }
    expect(stored()).toEqual(before);
  });

  it('refuses a second file instead of dropping it, and keeps neither', async () => {
    const before = stored();
    const answer = await call('POST', '/api/files', `${part('a')}${part('b')}--${boundary}--\r\n`, `multipart/form-data; boundary=${boundary}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'too_many_files', message: expect.stringMatching(/an upload holds one file/) });
    expect(stored()).toEqual(before);
    const one = await call('POST', '/api/files', `${part('a')}--${boundary}--\r\n`, `multipart/form-data; boundary=${boundary}`);
    expect(one.status).toBe(201);
  });

  it('keeps the SQLite file and the uploads owner-only: files 0600, folders 0700', async () => {
    const mode = (path: string) => statSync(path).mode & 0o777;
    expect(mode(join(dir, 'data'))).toBe(0o700);
    expect(mode(join(dir, 'data', 'jobs.db'))).toBe(0o600);
    for (const name of readdirSync(join(dir, 'data')).filter((entry) => entry.startsWith('jobs.db'))) expect(mode(join(dir, 'data', name)), name).toBe(0o600);
    expect(mode(join(dir, 'uploads'))).toBe(0o700);
    expect(stored().length).toBeGreaterThan(0);
    for (const name of stored()) expect(mode(join(dir, 'uploads', name)), name).toBe(0o600);
  });
});

describe('what the HTTP parser refuses', () => {
  /** Raw bytes on a socket: what comes back, until the server closes. */
  function raw(bytes: string): Promise<string> {
    const { port } = app.server.address() as AddressInfo;
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (answer += chunk));
      socket.on('end', () => resolve(answer));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
      socket.write(bytes);
    });
  }
  const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));

  it('answers headers too large with 431 in the API\'s error shape', async () => {
    const answer = await raw(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toMatch(/content-type: application\/json/i);
    expect(bodyOf(answer).error).toMatchObject({ code: 'headers_too_large', message: expect.stringMatching(/request line and headers are larger than the server reads/) });
  });

  it('answers a URL part too long with 414 in the API\'s error shape', async () => {
    const answer = await call('GET', `/api/services/${'a'.repeat(500)}/jobs`);
    expect(answer.status).toBe(414);
    expect(answer.body.error).toMatchObject({ code: 'uri_too_long', message: expect.stringMatching(/longer than the server reads/) });
    const bad = await call('GET', '/api/services/%E0%A4%A/jobs');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('bad_url');
    expect((await call('GET', '/healthz')).status).toBe(200);
  });
});

describe('a server without the files plugin', () => {
  it('answers multipart to the API with 415', async () => {
    const plain = await createHttpTestKernel();
    const server = await buildHttpApp(plain);
    try {
      const response = await server.inject({ method: 'POST', url: `${ROOT}/jobs`, headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x--' });
      expect(response.statusCode).toBe(415);
    } finally {
      await server.close();
      await plain.close();
    }
  });
});
