/**
 * Failed sign-ins through real HTTP: every failure pays the same scrypt work, failures are limited
 * per client address and per user name (429 with Retry-After, on the API and on the dashboard's
 * sign-in page), verified credentials are remembered so HTTP Basic does not pay scrypt per request,
 * and new hashes cost N = 2^17.
 */
import { request as httpRequest } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../core/index.js';
import { DEFAULT_SCRYPT_PARAMETERS, hashPassword, type ScryptParameters } from '../plugins/http/auth/hash-password.js';
import { HttpUsers, type HttpUsersOptions } from '../plugins/http/auth/http-users.js';
import { parseScryptHash } from '../plugins/http/auth/parse-scrypt-hash.js';
import { verifyPassword } from '../plugins/http/auth/verify-password.js';
import { buildHttpApp, httpServerOf } from '../plugins/http/index.js';
import { captureLog } from './helpers/capture-log.js';
import { createHttpTestKernel } from './helpers/http-test-kernel.js';

const FAST = { N: 1024, r: 8, p: 1 };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request from a given loopback address (127.0.0.x): a client of its own, for the server. */
function send(url: string, options: { from?: string; method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, localAddress: options.from ?? '127.0.0.1' }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

/** Records the scrypt parameters of every check that ran to its end, and fails the checks of `broken`. */
function countingVerify(broken?: string) {
  const checks: ScryptParameters[] = [];
  const verify = async (secret: string, hash: string) => {
    if (hash === broken) throw new Error('scrypt: memory limit exceeded');
    const result = await verifyPassword(secret, hash);
    if (hash.startsWith('scrypt$')) checks.push(parseScryptHash(hash).parameters);
    return result;
  };
  return { checks, verify };
}

async function serveApi(kernel: Kernel, users: HttpUsers): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildHttpApp(kernel, { users });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}` };
}

describe('the cost of a failure', () => {
  let kernel: Kernel;
  let api: { app: FastifyInstance; url: string };
  let counting: ReturnType<typeof countingVerify>;

  beforeAll(async () => {
    const brokenHash = await hashPassword('carol-secret', FAST);
    counting = countingVerify(brokenHash);
    const config = {
      alice: { role: 'manager' as const, passwordHash: await hashPassword('alice-secret', FAST) },
      bob: { role: 'viewer' as const, passwordEnv: 'BOB_PASSWORD' },
      carol: { role: 'viewer' as const, passwordHash: brokenHash },
    };
    kernel = await createHttpTestKernel({ http: { users: config } });
    const options: HttpUsersOptions = { verify: counting.verify, perClient: { burst: 100, refillMs: 1_000 } };
    api = await serveApi(kernel, HttpUsers.fromConfig(config, { BOB_PASSWORD: 'bob-secret' }, options));
  });
  afterAll(async () => {
    await api.app.close();
    await kernel.close();
  });

  it('is one scrypt at the same parameters: a wrong password, one from the environment, an unknown user, a hash that fails', async () => {
    // First uses make the in-memory hashes (of bob's password, and of the decoy): not counted below.
    await send(`${api.url}/api/sites`, { headers: { authorization: basic('bob', 'warm-up') } });
    await send(`${api.url}/api/sites`, { headers: { authorization: basic('nobody', 'warm-up') } });
    for (const [user, password] of [['alice', 'wrong'], ['bob', 'wrong'], ['mallory', 'alice-secret'], ['carol', 'carol-secret']]) {
      counting.checks.length = 0;
      const answer = await send(`${api.url}/api/sites`, { headers: { authorization: basic(user, password) } });
      expect(answer.status, user).toBe(401);
      expect(JSON.parse(answer.body).error.code).toBe('unauthorized');
      expect(counting.checks, user).toEqual([FAST]);
    }
  });

  it('remembers verified credentials: HTTP Basic pays scrypt once, not per request, and again after a failure', async () => {
    counting.checks.length = 0;
    for (let n = 0; n < 5; n++) {
      expect((await send(`${api.url}/api/sites`, { headers: { authorization: basic('alice', 'alice-secret') } })).status).toBe(200);
    }
    expect(counting.checks).toHaveLength(1);
    expect((await send(`${api.url}/api/sites`, { headers: { authorization: basic('alice', 'not-it') } })).status).toBe(401);
    counting.checks.length = 0;
    expect((await send(`${api.url}/api/sites`, { headers: { authorization: basic('alice', 'alice-secret') } })).status).toBe(200);
    expect(counting.checks).toHaveLength(1);
  });
});

describe('limits on failures', () => {
  let kernel: Kernel;
  let api: { app: FastifyInstance; url: string };

  beforeAll(async () => {
    const config = {
      alice: { role: 'manager' as const, passwordHash: await hashPassword('alice-secret', FAST) },
      bob: { role: 'viewer' as const, passwordHash: await hashPassword('bob-secret', FAST) },
      ci: { role: 'manager' as const, tokenEnv: 'CI_TOKEN' },
    };
    kernel = await createHttpTestKernel({ http: { users: config } });
    const limit = { burst: 3, refillMs: 60_000 };
    api = await serveApi(kernel, HttpUsers.fromConfig(config, { CI_TOKEN: 'ci-token-value' }, { perClient: limit, perUser: limit }));
  });
  afterAll(async () => {
    await api.app.close();
    await kernel.close();
  });

  it('answers 429 with Retry-After, in the API\'s error shape, once a client failed too often — even with the right password then', async () => {
    const from = '127.0.0.2';
    for (const password of ['guess-1', 'guess-2']) {
      expect((await send(`${api.url}/api/sites`, { from, headers: { authorization: basic('nobody', password) } })).status).toBe(401);
    }
    expect((await send(`${api.url}/api/sites`, { from, headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);
    for (const authorization of [basic('bob', 'guess-4'), basic('bob', 'bob-secret'), 'Bearer ci-token-value']) {
      const answer = await send(`${api.url}/api/sites`, { from, headers: { authorization } });
      expect(answer.status, authorization).toBe(429);
      expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      const { error } = JSON.parse(answer.body);
      expect(error.code).toBe('too_many_requests');
      expect(error.message).toMatch(/too many failed sign-ins .* try again in \d+ s/);
      expect(error.details.retryAfter).toBe(Number(answer.headers['retry-after']));
    }
    // Another client is not held back by this one.
    expect((await send(`${api.url}/api/sites`, { from: '127.0.0.3', headers: { authorization: basic('bob', 'bob-secret') } })).status).toBe(200);
  });

  it('limits failures per user name too, from however many clients', async () => {
    for (const from of ['127.0.0.4', '127.0.0.5', '127.0.0.6']) {
      expect((await send(`${api.url}/api/sites`, { from, headers: { authorization: basic('alice', `guess from ${from}`) } })).status).toBe(401);
    }
    const refused = await send(`${api.url}/api/sites`, { from: '127.0.0.7', headers: { authorization: basic('alice', 'alice-secret') } });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    // Other users, from that same client, are not.
    expect((await send(`${api.url}/api/sites`, { from: '127.0.0.7', headers: { authorization: basic('bob', 'bob-secret') } })).status).toBe(200);
  });
});

describe('the dashboard\'s sign-in', () => {
  let kernel: Kernel;
  let url: string;

  beforeAll(async () => {
    kernel = await createKernel(
      {
        store: { kind: 'memory' },
        plugins: ['echo', 'http', 'dashboard'],
        sites: { '': { services: { RootTaskService: {} } } },
        http: { port: 0, users: { ada: { role: 'manager', passwordHash: await hashPassword('ada-secret', FAST) } } },
      },
      { autostart: false, logger: captureLog().logger },
    );
    url = httpServerOf(kernel)!.url;
  });
  afterAll(async () => {
    await kernel.close();
  });

  async function signIn(from: string, user: string, password: string): Promise<Answer> {
    const page = await send(`${url}/login`, { from });
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    return send(`${url}/login`, {
      from,
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, user, password, next: '/' }).toString(),
    });
  }

  it('shows the sign-in page again with 429 and Retry-After after ten failures, and shares the limits with the API', async () => {
    for (let n = 1; n <= 10; n++) expect((await signIn('127.0.0.8', 'ada', `guess ${n}`)).status).toBe(401);
    const refused = await signIn('127.0.0.8', 'ada', 'ada-secret');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(refused.body).toMatch(/Too many failed sign-ins from here or for this user: try again in \d+ seconds\./);
    // The user name is held back on the API as well, from another client.
    const api = await send(`${url}/api/sites`, { from: '127.0.0.9', headers: { authorization: basic('ada', 'ada-secret') } });
    expect(api.status).toBe(429);
    // Another user name from another client signs in as before (and is refused as before).
    expect((await signIn('127.0.0.10', 'someone', 'else')).status).toBe(401);
  });
});

describe('new hashes', () => {
  it('cost at least N = 2^17 and verify (scrypt\'s memory limit raised to fit)', async () => {
    expect(DEFAULT_SCRYPT_PARAMETERS.N).toBeGreaterThanOrEqual(2 ** 17);
    const hash = await hashPassword('strong');
    expect(parseScryptHash(hash).parameters).toEqual(DEFAULT_SCRYPT_PARAMETERS);
    expect(await verifyPassword('strong', hash)).toBe(true);
  });

  it('tells at start which users still have cheaper hashes (they keep working)', async () => {
    const users = HttpUsers.fromConfig({
      old: { role: 'viewer', passwordHash: await hashPassword('x', FAST) },
      new: { role: 'viewer', passwordHash: await hashPassword('y', { N: 2048, r: 8, p: 1 }) },
    });
    expect(users.reference).toEqual({ N: 2048, r: 8, p: 1 });
    expect(users.warnings).toEqual([expect.stringMatching(/^http\.users\.old\.passwordHash uses scrypt N=1024,r=8,p=1, cheaper than N=2048,r=8,p=1: it still works/)]);
    expect(await users.checkPassword('old', 'x')).toEqual({ name: 'old', role: 'viewer' });
  });

  it('refuses at start a hash that would cost more than 1 GiB per check', () => {
    expect(() => HttpUsers.fromConfig({ big: { role: 'viewer', passwordHash: 'scrypt$N=4194304,r=8,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5' } })).toThrow(
      /http\.users\.big\.passwordHash: the scrypt parameters "N=4194304,r=8,p=1" cost too much/,
    );
  });
});
