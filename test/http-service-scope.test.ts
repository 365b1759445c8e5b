import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Kernel } from '../core/index.js';
import { buildHttpApp } from '../plugins/http/index.js';
import { createHttpTestKernel, jobCount } from './helpers/http-test-kernel.js';

let kernel: Kernel;
let app: FastifyInstance;

beforeAll(async () => {
  kernel = await createHttpTestKernel();
  app = await buildHttpApp(kernel);
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await app.close();
  await kernel.close();
});

const xmlrpcCall = '<?xml version="1.0"?><methodCall><methodName>getStatus</methodName><params><param><value><int>1</int></value></param></params></methodCall>';

/**
 * A request each route of a service accepts (so only the address can be wrong with it), by the
 * route as /openapi.json names it. `{address}` is filled in by the test.
 */
const VALID_REQUESTS: Record<string, Omit<InjectOptions, 'url'> & { path: string }> = {
  'GET /api/services/{address}/tasks': { method: 'GET', path: '/tasks' },
  'GET /api/services/{address}/jobs': { method: 'GET', path: '/jobs?status=queued' },
  'POST /api/services/{address}/jobs': { method: 'POST', path: '/jobs', payload: { task: 'echo', input: 1 } },
  'DELETE /api/services/{address}/jobs': { method: 'DELETE', path: '/jobs' },
  'GET /api/services/{address}/jobs/{id}': { method: 'GET', path: '/jobs/1' },
  'GET /api/services/{address}/jobs/{id}/attempts': { method: 'GET', path: '/jobs/1/attempts' },
  'PATCH /api/services/{address}/jobs/{id}': { method: 'PATCH', path: '/jobs/1', payload: { delay: 60 } },
  'POST /api/services/{address}/jobs/{id}/cancel': { method: 'POST', path: '/jobs/1/cancel' },
  'POST /api/services/{address}/jobs/{id}/start': { method: 'POST', path: '/jobs/1/start' },
  'PUT /api/services/{address}/jobs/{id}/priority': { method: 'PUT', path: '/jobs/1/priority', payload: { priority: 1 } },
  'POST /api/services/{address}/jobs/cancel-all': { method: 'POST', path: '/jobs/cancel-all' },
  'POST /api/services/{address}/jobs/{id}/retry': { method: 'POST', path: '/jobs/1/retry' },
  'POST /api/services/{address}/jobs/retry-all': { method: 'POST', path: '/jobs/retry-all', payload: {} },
  'POST /api/services/{address}/cronjobs': { method: 'POST', path: '/cronjobs', payload: { task: 'echo', cron: '*/5 * * * *' } },
  'POST /api/services/{address}/processing': { method: 'POST', path: '/processing', payload: { action: 'start' } },
  'GET /api/services/{address}/pause': { method: 'GET', path: '/pause' },
  'POST /api/services/{address}/pause': { method: 'POST', path: '/pause' },
  'POST /api/services/{address}/resume': { method: 'POST', path: '/resume' },
  'GET /api/services/{address}/events': { method: 'GET', path: '/events?job=1' },
  'POST /api/services/{address}/flows': { method: 'POST', path: '/flows', payload: { jobs: [{ task: 'echo' }] } },
  'POST /api/services/{address}/batches': { method: 'POST', path: '/batches', payload: { jobs: [{ task: 'echo' }], callback: { task: 'echo' } } },
  'GET /api/services/{address}/batches/{id}': { method: 'GET', path: '/batches/1' },
  'GET /api/services/{address}/jobs/{id}/dependencies': { method: 'GET', path: '/jobs/1/dependencies' },
  'POST /xmlrpc/{address}': { method: 'POST', path: '', headers: { 'content-type': 'text/xml' }, payload: xmlrpcCall },
};

const urlOf = (route: string, address: string) => {
  const { path } = VALID_REQUESTS[route];
  return route.includes(' /xmlrpc/') ? `/xmlrpc/${address}${path}` : `/api/services/${address}${path}`;
};

/** The message the kernel gives for the address: the body must carry it unchanged. */
function unknownServiceMessage(address: string): string {
  try {
    kernel.getService(address);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${address} is a service`);
}

describe('routes of one service', () => {
  it('has a valid request in this test for every route whose path names a service', async () => {
    const paths = (await app.inject('/openapi.json')).json().paths as Record<string, Record<string, unknown>>;
    const serviceRoutes = Object.entries(paths)
      .filter(([path]) => path.includes('{address}'))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(serviceRoutes.sort()).toEqual(Object.keys(VALID_REQUESTS).sort());
  });

  for (const address of ['@NoSuchService', 'nosite@Svc', 'no-at-sign']) {
    it(`answers ${address} with the same 404 on every route, looking the address up once, storing nothing`, async () => {
      const expected = { error: { code: 'unknown_service', message: unknownServiceMessage(address) } };
      const before = await jobCount(kernel);
      const getService = vi.spyOn(kernel, 'getService');
      for (const route of Object.keys(VALID_REQUESTS)) {
        getService.mockClear();
        const { path: _path, ...request } = VALID_REQUESTS[route];
        const response = await app.inject({ ...request, url: urlOf(route, address) });
        expect(response.statusCode, route).toBe(404);
        expect(response.headers['content-type'], route).toBe('application/json; charset=utf-8');
        expect(response.json(), route).toEqual(expected);
        expect(getService, route).toHaveBeenCalledTimes(1);
        expect(getService, route).toHaveBeenCalledWith(address);
      }
      expect(await jobCount(kernel)).toBe(before);
    });
  }

  it('looks a known service up once per request and hands the handler that service', async () => {
    const getService = vi.spyOn(kernel, 'getService');
    const added = await app.inject({ method: 'POST', url: '/api/services/site1@Svc/jobs', payload: { task: 'echo', input: 'x' } });
    expect(added.statusCode).toBe(201);
    expect(getService).toHaveBeenCalledTimes(1);
    const { id } = added.json();
    expect(added.headers.location).toBe(`/api/services/site1@Svc/jobs/${id}`);

    getService.mockClear();
    const job = await app.inject(`/api/services/site1%40Svc/jobs/${id}`);
    expect(job.json()).toMatchObject({ id, service: 'site1@Svc', input: 'x' });
    expect(getService).toHaveBeenCalledTimes(1);
    expect(getService).toHaveBeenCalledWith('site1@Svc');
    // The root service has no job of that id: the route asked the service of its own address.
    expect((await app.inject(`/api/services/@RootTaskService/jobs/${id}`)).json().error.code).toBe('unknown_job');
  });

  it('still answers what is wrong with a request before the address, as when each handler looked it up', async () => {
    const badBody = await app.inject({ method: 'POST', url: '/api/services/@NoSuchService/jobs', payload: { input: 1 } });
    expect(badBody.statusCode).toBe(400);
    expect(badBody.json().error.code).toBe('bad_request');
    const badId = await app.inject('/api/services/@NoSuchService/jobs/abc');
    expect(badId.statusCode).toBe(400);
  });

  it('leaves routes outside the prefix alone: /api/sites and an unknown route need no service', async () => {
    const getService = vi.spyOn(kernel, 'getService');
    expect((await app.inject('/api/sites')).statusCode).toBe(200);
    const missing = await app.inject('/api/services/@RootTaskService/nothing-here');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
    expect(getService).not.toHaveBeenCalled();
  });
});
