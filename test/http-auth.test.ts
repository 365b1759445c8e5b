import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createKernel, type Kernel } from '../core/index.js';
import { buildHttpApp, startHttpServer } from '../plugins/http/index.js';
import { hashPassword } from '../plugins/http/auth/hash-password.js';
import { hashToken } from '../plugins/http/auth/hash-token.js';
import { HttpUsers } from '../plugins/http/auth/http-users.js';
import { createHttpTestKernel, jobCount } from './helpers/http-test-kernel.js';

const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };
const JOBS = '/api/services/@RootTaskService/jobs';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const CI_TOKEN = 'ci-token-0123456789abcdef';

const xmlrpc = (method: string, params = '') =>
  `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params}</params></methodCall>`;

let kernel: Kernel;
let app: FastifyInstance;

beforeAll(async () => {
  const users = {
    alice: { role: 'manager' as const, passwordHash: await hashPassword('alice-secret', FAST_SCRYPT) },
    bob: { role: 'viewer' as const, passwordEnv: 'BOB_PASSWORD' },
    ci: { role: 'manager' as const, tokenHash: hashToken(CI_TOKEN) },
    dash: { role: 'viewer' as const, tokenEnv: 'DASH_TOKEN' },
  };
  kernel = await createHttpTestKernel({ http: { users } });
  app = await buildHttpApp(kernel, { users: HttpUsers.fromConfig(users, { BOB_PASSWORD: 'bob-secret', DASH_TOKEN: 'dash-token' }) });
});
afterAll(async () => {
  await app.close();
  await kernel.close();
});

describe('authentication', () => {
  it('asks for credentials with 401 and both challenges', async () => {
    const response = await app.inject('/api/sites');
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toEqual(['Basic realm="remotetask", charset="UTF-8"', 'Bearer realm="remotetask"']);
    expect(response.json().error).toEqual({ code: 'unauthorized', message: 'authentication required: send HTTP Basic credentials or a bearer token' });
  });

  it('takes a password checked against its scrypt hash, or one read from the environment', async () => {
    expect((await app.inject({ url: '/api/sites', headers: { authorization: basic('alice', 'alice-secret') } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/sites', headers: { authorization: basic('bob', 'bob-secret') } })).statusCode).toBe(200);
  });

  it('refuses a wrong password, an unknown user and an unreadable header alike', async () => {
    for (const authorization of [basic('alice', 'alice-secreT'), basic('bob', ''), basic('mallory', 'alice-secret'), 'Basic !!!', 'Digest abc']) {
      const response = await app.inject({ url: '/api/sites', headers: { authorization } });
      expect(response.statusCode, authorization).toBe(401);
      expect(response.headers['www-authenticate']).toHaveLength(2);
    }
  });

  it('takes bearer tokens, from a hash or from the environment', async () => {
    expect((await app.inject({ method: 'POST', url: JOBS, headers: { authorization: `Bearer ${CI_TOKEN}` }, payload: { task: 'echo' } })).statusCode).toBe(201);
    expect((await app.inject({ url: '/api/sites', headers: { authorization: 'Bearer dash-token' } })).statusCode).toBe(200);
    const wrong = await app.inject({ url: '/api/sites', headers: { authorization: `Bearer ${CI_TOKEN}x` } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.message).toBe('unknown or revoked token');
  });

  it('keeps /healthz open and /metrics, /openapi.json and /docs closed', async () => {
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    expect((await app.inject('/metrics')).statusCode).toBe(401);
    expect((await app.inject('/openapi.json')).statusCode).toBe(401);
    expect((await app.inject('/docs/')).statusCode).toBe(401);
    expect((await app.inject({ url: '/metrics', headers: { authorization: basic('bob', 'bob-secret') } })).statusCode).toBe(200);
  });

  it('declares the security schemes in the OpenAPI document', async () => {
    const document = (await app.inject({ url: '/openapi.json', headers: { authorization: basic('bob', 'bob-secret') } })).json();
    expect(document.components.securitySchemes).toEqual({ basicAuth: { type: 'http', scheme: 'basic' }, bearerAuth: { type: 'http', scheme: 'bearer' } });
  });
});

describe('roles', () => {
  const bob = { authorization: basic('bob', 'bob-secret') };
  const alice = { authorization: basic('alice', 'alice-secret') };

  it('lets a viewer read but not change anything: 403, nothing stored', async () => {
    const id = (await app.inject({ method: 'POST', url: JOBS, headers: alice, payload: { task: 'echo' } })).json().id;
    expect((await app.inject({ url: `${JOBS}/${id}`, headers: bob })).statusCode).toBe(200);
    expect((await app.inject({ url: JOBS, headers: bob })).statusCode).toBe(200);

    const before = await jobCount(kernel);
    const add = await app.inject({ method: 'POST', url: JOBS, headers: bob, payload: { task: 'echo' } });
    expect(add.statusCode).toBe(403);
    expect(add.json().error).toEqual({ code: 'forbidden', message: 'user "bob" is a viewer and may not POST /api/services/:address/jobs; it takes a manager' });
    expect((await app.inject({ method: 'POST', url: `${JOBS}/${id}/cancel`, headers: bob })).statusCode).toBe(403);
    expect((await app.inject({ method: 'DELETE', url: JOBS, headers: bob })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/services/@RootTaskService/processing', headers: { ...bob, 'content-type': 'application/json' }, payload: '{"action":"start"}' })).statusCode).toBe(403);
    expect(await jobCount(kernel)).toBe(before);
    expect((await app.inject({ url: `${JOBS}/${id}`, headers: bob })).json().status).toBe('queued');
    expect(kernel.getService('@RootTaskService').isProcessing()).toBe(false);
  });

  it('lets a viewer call read-only XML-RPC methods, and answers changing ones with fault 5', async () => {
    const id = (await app.inject({ method: 'POST', url: JOBS, headers: alice, payload: { task: 'echo' } })).json().id;
    const post = (body: string, headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/xmlrpc/@RootTaskService', headers: { ...headers, 'content-type': 'text/xml' }, payload: body });

    const status = await post(xmlrpc('getStatus', `<param><value><int>${id}</int></value></param>`), bob);
    expect(status.body).toContain('<string>queued</string>');

    const before = await jobCount(kernel);
    const add = await post(xmlrpc('add', '<param><value>echo</value></param>'), bob);
    expect(add.statusCode).toBe(200);
    expect(add.body).toContain('<name>faultCode</name><value><int>5</int></value>');
    expect(add.body).toContain('<string>user "bob" is a viewer and may not call add; it takes a manager</string>');
    const cancel = await post(xmlrpc('cancel', `<param><value><int>${id}</int></value></param>`), bob);
    expect(cancel.body).toContain('<int>5</int>');
    expect(await jobCount(kernel)).toBe(before);

    expect((await post(xmlrpc('add', '<param><value>echo</value></param>'), alice)).body).toMatch(/<params><param><value><int>\d+<\/int>/);
    const anonymous = await post(xmlrpc('getStatus', `<param><value><int>${id}</int></value></param>`), {});
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('users in the config', () => {
  it('refuses a user without any credential, or with two passwords', async () => {
    const attempt = (users: Record<string, unknown>) =>
      createKernel({ store: { kind: 'memory' }, http: { users } } as never, { autostart: false });
    await expect(attempt({ carol: { role: 'viewer' } })).rejects.toThrow(ConfigError);
    await expect(attempt({ carol: { role: 'viewer' } })).rejects.toThrow(/http\.users\.carol needs passwordHash, passwordEnv, tokenHash or tokenEnv/);
    await expect(attempt({ carol: { role: 'viewer', passwordHash: 'scrypt$x', passwordEnv: 'X' } })).rejects.toThrow(/give passwordHash or passwordEnv, not both/);
    await expect(attempt({ carol: { role: 'admin', passwordEnv: 'X' } })).rejects.toThrow(/http\.users\.carol\.role must be one of "manager", "viewer"/);
    await expect(attempt({ carol: { role: 'viewer', passwordHash: 'plaintext' } })).rejects.toThrow(/passwordHash must match pattern/);
  });

  it('stops at start when a password variable is not set or a hash cannot be read', () => {
    expect(() => HttpUsers.fromConfig({ bob: { role: 'viewer', passwordEnv: 'NOT_SET_ANYWHERE' } }, {})).toThrow(
      'http.users.bob.passwordEnv names the environment variable NOT_SET_ANYWHERE, which is not set',
    );
    expect(() => HttpUsers.fromConfig({ bob: { role: 'viewer', passwordHash: 'scrypt$N=1000,r=8,p=1$abc$def' } }, {})).toThrow(/http\.users\.bob\.passwordHash: the scrypt parameters .* not valid/);
    expect(() => HttpUsers.fromConfig({ ci: { role: 'manager', tokenHash: 'sha256$abc' } }, {})).toThrow(/tokenHash must be a sha256\$<64 hex digits>/);
  });

  it('refuses to listen beyond loopback without users, and says why', async () => {
    const open = await createHttpTestKernel({ http: { host: '0.0.0.0', port: 0 } });
    try {
      await expect(startHttpServer(open)).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without users: anyone who can reach it could run and cancel jobs/);
    } finally {
      await open.close();
    }
  });
});
