import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKernel, type Kernel } from '../core/index.js';
import { escapeHtml } from '../plugins/dashboard/index.js';
import { httpServerOf } from '../plugins/http/index.js';
import { captureLog } from './helpers/capture-log.js';
import { httpTestTasks, jobCount } from './helpers/http-test-kernel.js';

let kernel: Kernel;
let app: FastifyInstance;
let cookie: string;
let csrf: string;

beforeAll(async () => {
  kernel = await createKernel(
    {
      store: { kind: 'memory' },
      plugins: ['echo', httpTestTasks, 'http', 'dashboard'],
      sites: { '': { services: { RootTaskService: {} } } },
      http: { port: 0 },
    },
    { autostart: false, logger: captureLog().logger },
  );
  app = httpServerOf(kernel)!.app;
  const overview = await app.inject('/');
  cookie = String(overview.headers['set-cookie']).split(';')[0];
  csrf = /name="_csrf" value="([^"]+)"/.exec(overview.body)![1];
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await kernel.close();
});

/** Each dashboard route of one service, with what makes the request valid but for its address. */
const ROUTES: Array<[method: 'GET' | 'POST', path: string, form?: Record<string, string>]> = [
  ['POST', '/processing', { action: 'start' }],
  ['GET', '/jobs'],
  ['GET', '/rows?ids=1'],
  ['POST', '/cancel', { ids: '1' }],
  ['POST', '/cancel-all'],
  ['POST', '/clean'],
  ['GET', '/jobs/1'],
  ['POST', '/jobs/1/cancel'],
  ['POST', '/jobs/1/start'],
  ['GET', '/jobs/1/schedule'],
  ['POST', '/jobs/1/schedule', { mode: 'delay', delay: '60' }],
  ['GET', '/jobs/new'],
  ['POST', '/jobs', { task: 'echo', input: '1' }],
  ['POST', '/jobs/check', { task: 'echo', input: '1' }],
  ['GET', '/task-hint?task=echo'],
  ['GET', '/cronjobs/new'],
  ['POST', '/cronjobs', { task: 'echo', input: '1', mode: 'delay', delay: '60' }],
  ['GET', '/schedule-preview?mode=delay&delay=60'],
];

describe('the dashboard\'s routes of one service', () => {
  it('answers an unknown service with the same 404 page on every one, looking the address up once', async () => {
    const address = '@NoSuchService';
    let message = '';
    try {
      kernel.getService(address);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/NoSuchService/);
    const getService = vi.spyOn(kernel, 'getService');
    for (const [method, path, form] of ROUTES) {
      getService.mockClear();
      const url = `/services/${address}${path}`;
      const response = await app.inject({
        method,
        url,
        headers: { cookie, ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        ...(method === 'POST' ? { payload: new URLSearchParams({ _csrf: csrf, ...form }).toString() } : {}),
      });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.headers['content-type'], url).toContain('text/html');
      expect(response.body, url).toContain(escapeHtml(message));
      expect(getService, `${method} ${url}`).toHaveBeenCalledTimes(1);
    }
    expect(await jobCount(kernel)).toBe(0);
  });
});
