/**
 * Every kind of bad request gets its status and a JSON error that says what is wrong; nothing is
 * stored for it, and the server answers the next request as usual.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Kernel } from '../core/index.js';
import { buildHttpApp } from '../plugins/http/index.js';
import { hashPassword } from '../plugins/http/auth/hash-password.js';
import { createHttpTestKernel, jobCount } from './helpers/http-test-kernel.js';

const JOBS = '/api/services/@RootTaskService/jobs';
const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };

let kernel: Kernel;
let app: FastifyInstance;

beforeAll(async () => {
  kernel = await createHttpTestKernel({ http: { bodyLimit: 4096 } });
  app = await buildHttpApp(kernel);
  await app.inject({ method: 'POST', url: JOBS, payload: { task: 'echo', input: 'already there' } });
});
afterAll(async () => {
  await app.close();
  await kernel.close();
});

/** Sends a bad request; checks its status, JSON error body, that no job was stored, and that the server still works. */
async function rejects(request: InjectOptions, status: number, code: string, message: RegExp, server = app) {
  const before = await jobCount(kernel);
  const response = await server.inject(request);
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const { error } = response.json();
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
  expect(response.body).not.toMatch(/\n\s+at |\.ts:\d+/);
  expect(await jobCount(kernel)).toBe(before);
  const next = await server.inject({ method: 'POST', url: JOBS, payload: { task: 'echo' }, ...(request.headers?.authorization ? { headers: { authorization: request.headers.authorization } } : {}) });
  if (status !== 401) expect(next.statusCode).toBe(201);
  await kernel.getService('@RootTaskService').cancelAll();
  await kernel.getService('@RootTaskService').clean();
  return error;
}

describe('bad requests', () => {
  it('malformed JSON: 400 saying what is wrong', async () => {
    await rejects(
      { method: 'POST', url: JOBS, headers: { 'content-type': 'application/json' }, payload: '{"task": "echo", "input": {' },
      400,
      'invalid_json',
      /^the body is not valid JSON: .*JSON/,
    );
    await rejects({ method: 'POST', url: JOBS, headers: { 'content-type': 'application/json' }, payload: '' }, 400, 'invalid_json', /body is empty/);
  });

  it('a prototype-poisoning key: 400', async () => {
    await rejects(
      { method: 'POST', url: JOBS, headers: { 'content-type': 'application/json' }, payload: '{"task": "echo", "input": {"__proto__": {"x": 1}}}' },
      400,
      'invalid_json',
      /may not hold the key "__proto__"/,
    );
    await rejects(
      { method: 'POST', url: JOBS, headers: { 'content-type': 'application/json' }, payload: '{"task": "echo", "input": {"constructor": {"prototype": {"x": 1}}}}' },
      400,
      'invalid_json',
      /may not hold the key "constructor"/,
    );
    // The same key spelt with a JSON escape, which the parser decodes to "__proto__".
    await rejects(
      { method: 'POST', url: JOBS, headers: { 'content-type': 'application/json' }, payload: '{"task": "echo", "input": {"\\u005f_proto__": {"x": 1}}}' },
      400,
      'invalid_json',
      /may not hold the key "__proto__"/,
    );
  });

  it('the word "constructor" as a plain key or value is accepted and kept', async () => {
    const response = await app.inject({
      method: 'POST', url: JOBS, headers: { 'content-type': 'application/json' },
      payload: '{"task": "echo", "input": {"constructor": "a builder", "role": "constructor"}}',
    });
    expect(response.statusCode).toBe(201);
    const job = await kernel.getService('@RootTaskService').getJob(response.json().id);
    expect(job?.input).toEqual({ constructor: 'a builder', role: 'constructor' });
  });

  it('a body that is not what the route takes: 400 naming the field', async () => {
    const error = await rejects({ method: 'POST', url: JOBS, payload: { input: 1, color: 'red' } }, 400, 'bad_request', /body\/task must have required property|body unknown property "color"/);
    expect(error.details).toEqual(expect.arrayContaining([{ path: 'body/task', message: "must have required property 'task'" }, { path: 'body', message: 'unknown property "color"' }]));
  });

  it('an unknown task: 404 listing the available ones', async () => {
    const error = await rejects({ method: 'POST', url: JOBS, payload: { task: 'ehco' } }, 404, 'unknown_task', /task "ehco" is not registered for service @RootTaskService; available tasks: echo, fail, greet, steps/);
    expect(error.details).toEqual({ available: ['echo', 'fail', 'greet', 'steps'] });
    await rejects({ method: 'POST', url: '/api/services/@RootTaskService/cronjobs', payload: { task: 'ehco', minute: 1 } }, 404, 'unknown_task', /available tasks: echo/);
  });

  it('input failing the task\'s schema: 422 with each problem\'s path and message', async () => {
    const error = await rejects(
      { method: 'POST', url: JOBS, payload: { task: 'greet', input: { name: '', times: 0, shout: true } } },
      422,
      'invalid_input',
      /input for task "greet" does not match its schema/,
    );
    expect(error.details).toEqual(
      expect.arrayContaining([
        { path: '/name', message: 'must NOT have fewer than 1 characters' },
        { path: '/times', message: 'must be >= 1' },
        { path: '', message: 'unknown property "shout"' },
      ]),
    );
  });

  it('a bad cron spec: 400 with the ScheduleError message', async () => {
    const url = '/api/services/@RootTaskService/cronjobs';
    await rejects({ method: 'POST', url, payload: { task: 'echo', minute: [75] } }, 400, 'invalid_schedule', /^minute: 75 is out of range 0-59$/);
    await rejects({ method: 'POST', url, payload: { task: 'echo', cron: '61 * * * *' } }, 400, 'invalid_schedule', /cron "61 \* \* \* \*" is not a valid cron expression/);
    await rejects({ method: 'POST', url, payload: { task: 'echo', cron: '* * * * *', tz: 'Mars/Olympus' } }, 400, 'invalid_schedule', /tz "Mars\/Olympus" is not an IANA time zone/);
    await rejects({ method: 'POST', url, payload: { task: 'echo', delay: 10, minute: [1] } }, 400, 'invalid_schedule', /give either field lists, delay or cron, not both/);
  });

  it('a body over the limit: 413', async () => {
    await rejects({ method: 'POST', url: JOBS, payload: { task: 'echo', input: 'x'.repeat(5000) } }, 413, 'payload_too_large', /larger than the server accepts \(http.bodyLimit\)/);
  });

  it('a body over the default limit of 1 MiB: 413, and just under it is fine', async () => {
    const defaultKernel = await createHttpTestKernel();
    const server = await buildHttpApp(defaultKernel);
    try {
      const over = await server.inject({ method: 'POST', url: JOBS, payload: { task: 'echo', input: 'x'.repeat(1024 * 1024) } });
      expect(over.statusCode).toBe(413);
      expect(await jobCount(defaultKernel)).toBe(0);
      const under = await server.inject({ method: 'POST', url: JOBS, payload: { task: 'echo', input: 'x'.repeat(1024 * 1024 - 100) } });
      expect(under.statusCode).toBe(201);
    } finally {
      await server.close();
      await defaultKernel.close();
    }
  });

  it('an unknown job: 404', async () => {
    await rejects({ method: 'POST', url: `${JOBS}/999999/cancel` }, 404, 'unknown_job', /^job 999999 does not exist in service @RootTaskService$/);
    const response = await app.inject(`${JOBS}/999999`);
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('unknown_job');
  });

  it('draining a process the registry does not list: 404, nothing drained', async () => {
    await rejects({ method: 'POST', url: '/api/workers/host:1:abc/drain' }, 404, 'unknown_worker', /^no process "host:1:abc" is registered: GET \/api\/workers lists their ids$/);
    await rejects({ method: 'POST', url: `/api/workers/${'x'.repeat(101)}/undrain` }, 414, 'uri_too_long', /longer than the server reads/);
  });

  it('an unknown address: 404 saying what exists', async () => {
    await rejects({ method: 'POST', url: '/api/services/@NoSuchService/jobs', payload: { task: 'echo' } }, 404, 'unknown_service', /service "NoSuchService" not found in site root \(services: @RootTaskService\)/);
    await rejects({ method: 'POST', url: '/api/services/nosite%40Svc/jobs', payload: { task: 'echo' } }, 404, 'unknown_service', /site "nosite" not found/);
    await rejects({ method: 'POST', url: '/api/services/no-at-sign/jobs', payload: { task: 'echo' } }, 404, 'unknown_service', /"no-at-sign" is not a service address/);
  });

  it('an unknown route: 404', async () => {
    await rejects({ method: 'GET', url: '/api/nothing-here' }, 404, 'not_found', /there is no route GET \/api\/nothing-here/);
  });

  it('a wrong password: 401', async () => {
    const users = { alice: { role: 'manager' as const, passwordHash: await hashPassword('right', FAST_SCRYPT) } };
    const securedKernel = await createHttpTestKernel({ http: { users } });
    const server = await buildHttpApp(securedKernel);
    try {
      const wrong = `Basic ${Buffer.from('alice:wrong').toString('base64')}`;
      const response = await server.inject({ method: 'POST', url: JOBS, headers: { authorization: wrong }, payload: { task: 'echo' } });
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toEqual({ code: 'unauthorized', message: 'wrong user name or password' });
      expect(await jobCount(securedKernel)).toBe(0);
      const right = `Basic ${Buffer.from('alice:right').toString('base64')}`;
      expect((await server.inject({ method: 'POST', url: JOBS, headers: { authorization: right }, payload: { task: 'echo' } })).statusCode).toBe(201);
    } finally {
      await server.close();
      await securedKernel.close();
    }
  });

  it('an unexpected failure: 500 without details or stack, logged on the server', async () => {
    const list = vi.spyOn(kernel.store, 'list').mockRejectedValueOnce(new Error('disk on fire at /var/lib/secret'));
    try {
      const response = await app.inject(JOBS);
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({ error: { code: 'internal', message: 'internal server error: the server log has the details' } });
      expect(response.body).not.toMatch(/disk on fire|secret/);
      expect((await app.inject(JOBS)).statusCode).toBe(200);
    } finally {
      list.mockRestore();
    }
  });
});
