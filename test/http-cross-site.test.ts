/**
 * What a browser can be made to send on another site's behalf, over a real socket: state-changing
 * requests from another site's page (Origin, Sec-Fetch-Site) are refused, content types a page may
 * send without a CORS preflight find no parser (415), and without users only loopback host names
 * are answered (DNS rebinding). Clients that are no browser (no Origin) work as before.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kernel } from '../core/index.js';
import type { HttpOptions } from '../plugins/http/http-options.js';
import { hashPassword } from '../plugins/http/auth/hash-password.js';
import { createHttpTestKernel, jobCount, type ServedTestKernel, serveHttpTestKernel } from './helpers/http-test-kernel.js';

const ROOT = '/api/services/@RootTaskService';
const ADD_XML = '<?xml version="1.0"?><methodCall><methodName>add</methodName><params><param><value><string>echo</string></value></param></params></methodCall>';

type Served = ServedTestKernel;
const serve = (http: HttpOptions = {}) => serveHttpTestKernel({ http });

interface Answer {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

/** A request over the socket with exactly these headers (fetch would not let a test set Host). */
function send(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // XML or empty: keep the text
        }
        resolve({ status: response.statusCode ?? 0, body: parsed, headers: response.headers });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('without users', () => {
  let served: Served;
  let queued: number;
  let later: number;

  beforeAll(async () => {
    served = await serve({ allowedOrigins: ['https://tools.example'] });
    const service = served.kernel.getService('@RootTaskService');
    queued = await service.add('echo', 'keep me');
    later = await service.add('echo', 'later', { startLater: true });
  });
  afterAll(async () => {
    await served.close();
  });

  const statusOf = async (id: number) => (await served.kernel.getService('@RootTaskService').getJob(id)).status;

  it('refuses the content types a page may send without asking: text/plain, forms and multipart get 415', async () => {
    const before = await jobCount(served.kernel);
    for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const xmlrpc = await send(served.port, 'POST', '/xmlrpc/@RootTaskService', { 'content-type': type }, ADD_XML);
      expect(xmlrpc.status, type).toBe(415);
      expect(xmlrpc.body.error.code).toBe('unsupported_media_type');
      const add = await send(served.port, 'POST', `${ROOT}/jobs`, { 'content-type': type }, '{"task":"echo"}');
      expect(add.status, type).toBe(415);
      for (const path of [`${ROOT}/jobs/${queued}/cancel`, `${ROOT}/jobs/${later}/start`, `${ROOT}/jobs/cancel-all`]) {
        expect((await send(served.port, 'POST', path, { 'content-type': type }, 'x')).status, `${type} ${path}`).toBe(415);
      }
    }
    expect(await jobCount(served.kernel)).toBe(before);
    expect(await statusOf(queued)).toBe('queued');
    expect(await statusOf(later)).toBe('start later');
  });

  it('refuses state-changing requests whose Origin or Sec-Fetch-Site says another site sent them (403), bodies or not', async () => {
    const before = await jobCount(served.kernel);
    const fromOtherSites: Array<Record<string, string>> = [
      { origin: 'http://evil.test:4000', 'sec-fetch-site': 'cross-site' },
      { origin: 'http://evil.test:4000' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: `http://127.0.0.1:${served.port + 1}`, 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of fromOtherSites) {
      const requests: Array<[string, Record<string, string>, string | undefined]> = [
        [`${ROOT}/jobs/${queued}/cancel`, {}, undefined],
        [`${ROOT}/jobs/${later}/start`, {}, undefined],
        [`${ROOT}/jobs/cancel-all`, {}, undefined],
        [`${ROOT}/jobs`, { 'content-type': 'application/json' }, '{"task":"echo"}'],
        ['/xmlrpc/@RootTaskService', { 'content-type': 'text/xml' }, ADD_XML],
      ];
      for (const [path, extra, body] of requests) {
        const answer = await send(served.port, 'POST', path, { ...headers, ...extra }, body);
        expect(answer.status, `${JSON.stringify(headers)} ${path}`).toBe(403);
        expect(answer.body.error.code).toBe('cross_site_refused');
        expect(answer.body.error.message).toMatch(/requests from other sites are refused/);
      }
      expect((await send(served.port, 'DELETE', `${ROOT}/jobs`, headers)).status).toBe(403);
    }
    expect(await jobCount(served.kernel)).toBe(before);
    expect(await statusOf(queued)).toBe('queued');
    expect(await statusOf(later)).toBe('start later');
  });

  it('lets through the server\'s own pages, configured origins, reads from anywhere and clients that are no browser', async () => {
    const own = { origin: `http://127.0.0.1:${served.port}` };
    const json = { 'content-type': 'application/json' };
    expect((await send(served.port, 'POST', `${ROOT}/jobs`, { ...own, ...json }, '{"task":"echo"}')).status).toBe(201);
    expect((await send(served.port, 'POST', `${ROOT}/jobs`, { 'sec-fetch-site': 'same-origin', origin: 'http://proxy.example', ...json }, '{"task":"echo"}')).status).toBe(201);
    expect((await send(served.port, 'POST', `${ROOT}/jobs`, { origin: 'https://tools.example', ...json }, '{"task":"echo"}')).status).toBe(201);
    expect((await send(served.port, 'POST', `${ROOT}/jobs`, { origin: 'https://TOOLS.example:443', ...json }, '{"task":"echo"}')).status).toBe(201);
    expect((await send(served.port, 'POST', `${ROOT}/jobs`, { 'sec-fetch-site': 'none', ...json }, '{"task":"echo"}')).status).toBe(201);
    expect((await send(served.port, 'POST', `${ROOT}/jobs`, json, '{"task":"echo"}')).status).toBe(201);
    const xmlrpc = await send(served.port, 'POST', '/xmlrpc/@RootTaskService', { 'content-type': 'application/xml' }, ADD_XML);
    expect(xmlrpc.body).toMatch(/<int>\d+<\/int>/);
    expect((await send(served.port, 'GET', `${ROOT}/jobs`, { origin: 'http://evil.test', 'sec-fetch-site': 'cross-site' })).status).toBe(200);
    expect((await send(served.port, 'POST', `${ROOT}/jobs/${later}/start`)).status).toBe(200);
    expect(await statusOf(later)).toBe('queued');
  });

  it('answers only loopback host names, and the configured ones: a rebound name gets 421, reads included', async () => {
    for (const host of ['evil.test', `evil.test:${served.port}`, '10.0.0.1', 'localhost.evil.test', '127.0.0.1.evil.test']) {
      const answer = await send(served.port, 'GET', `${ROOT}/jobs`, { host });
      expect(answer.status, host).toBe(421);
      expect(answer.body.error.code).toBe('unknown_host');
      expect(answer.body.error.message).toMatch(/http\.allowedHosts/);
    }
    const before = await jobCount(served.kernel);
    expect((await send(served.port, 'POST', `${ROOT}/jobs`, { host: 'evil.test', 'content-type': 'application/json' }, '{"task":"echo"}')).status).toBe(421);
    expect(await jobCount(served.kernel)).toBe(before);
    for (const host of [`localhost:${served.port}`, 'LOCALHOST', `127.0.0.1:${served.port}`, '127.1.2.3', `[::1]:${served.port}`, 'localhost.']) {
      expect((await send(served.port, 'GET', `${ROOT}/jobs`, { host })).status, host).toBe(200);
    }
  });

  it('answers the names of http.allowedHosts', async () => {
    const named = await serve({ allowedHosts: ['remotetask.lan'] });
    try {
      expect((await send(named.port, 'GET', `${ROOT}/jobs`, { host: `remotetask.lan:${named.port}` })).status).toBe(200);
      expect((await send(named.port, 'GET', `${ROOT}/jobs`, { host: 'other.lan' })).status).toBe(421);
    } finally {
      await named.close();
    }
  });
});

describe('with users', () => {
  let served: Served;
  const alice = `Basic ${Buffer.from('alice:alice-secret').toString('base64')}`;

  beforeAll(async () => {
    served = await serve({ users: { alice: { role: 'manager', passwordHash: await hashPassword('alice-secret', { N: 1024, r: 8, p: 1 }) } } });
  });
  afterAll(async () => {
    await served.close();
  });

  it('answers any host name (credentials guard it), and still refuses another site\'s page, even with the user\'s credentials', async () => {
    expect((await send(served.port, 'GET', `${ROOT}/jobs`, { host: 'remotetask.example.com', authorization: alice })).status).toBe(200);
    const before = await jobCount(served.kernel);
    // A browser adds the credentials it remembers for the server to a form another site posts.
    const forged = await send(
      served.port,
      'POST',
      `${ROOT}/jobs`,
      { authorization: alice, origin: 'https://evil.test', 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
      '{"task":"echo"}',
    );
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('cross_site_refused');
    expect(await jobCount(served.kernel)).toBe(before);
  });
});

describe('behind a proxy (http.trustProxy)', () => {
  it('takes the scheme and host from X-Forwarded-*: the dashboard\'s session cookie is Secure behind TLS, and only then', async () => {
    const kernel = await createHttpTestKernel({ plugins: ['echo', 'http', 'dashboard'], http: { port: 0, trustProxy: true } });
    const plain = await createHttpTestKernel({ plugins: ['echo', 'http', 'dashboard'], http: { port: 0 } });
    try {
      const { httpServerOf } = await import('../plugins/http/index.js');
      const portOf = (k: Kernel) => Number(new URL(httpServerOf(k)!.url).port);
      const tls = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'localhost' };
      const secure = await send(portOf(kernel), 'GET', '/', tls);
      expect(secure.status).toBe(200);
      expect(String(secure.headers['set-cookie'])).toMatch(/; Secure/);
      // The page's own origin as the proxy tells it: the dashboard's forms post from https://localhost.
      expect((await send(portOf(kernel), 'POST', `${ROOT}/jobs`, { ...tls, origin: 'https://localhost', 'content-type': 'application/json' }, '{"task":"echo"}')).status).toBe(201);
      // Without trustProxy the header is anybody's word: no Secure cookie (it would never come back over http).
      const untrusted = await send(portOf(plain), 'GET', '/', tls);
      expect(untrusted.status).toBe(200);
      expect(String(untrusted.headers['set-cookie'])).not.toMatch(/Secure/);
    } finally {
      await kernel.close();
      await plain.close();
    }
  });
});
