import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Kernel } from '../core/index.js';
import { buildHttpApp } from '../plugins/http/index.js';
import { createHttpTestKernel } from './helpers/http-test-kernel.js';

let kernel: Kernel;
let app: FastifyInstance;

beforeAll(async () => {
  kernel = await createHttpTestKernel();
  app = await buildHttpApp(kernel);
});
afterAll(async () => {
  await app.close();
  await kernel.close();
});

describe('/openapi.json', () => {
  it('is an OpenAPI 3 document of every route, built from the route schemas', async () => {
    const response = await app.inject('/openapi.json');
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe('3.0.3');
    expect(document.info.title).toBe('remotetask');
    const operations = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual([
      'DELETE /api/services/{address}/jobs',
      'GET /api/services/{address}/batches/{id}',
      'GET /api/services/{address}/events',
      'GET /api/services/{address}/jobs',
      'GET /api/services/{address}/jobs/{id}',
      'GET /api/services/{address}/jobs/{id}/attempts',
      'GET /api/services/{address}/jobs/{id}/dependencies',
      'GET /api/services/{address}/pause',
      'GET /api/services/{address}/tasks',
      'GET /api/sites',
      'GET /api/workers',
      'GET /healthz',
      'GET /metrics',
      'PATCH /api/services/{address}/jobs/{id}',
      'POST /api/services/{address}/batches',
      'POST /api/services/{address}/cronjobs',
      'POST /api/services/{address}/flows',
      'POST /api/services/{address}/jobs',
      'POST /api/services/{address}/jobs/cancel-all',
      'POST /api/services/{address}/jobs/retry-all',
      'POST /api/services/{address}/jobs/{id}/cancel',
      'POST /api/services/{address}/jobs/{id}/retry',
      'POST /api/services/{address}/jobs/{id}/start',
      'POST /api/services/{address}/pause',
      'POST /api/services/{address}/processing',
      'POST /api/services/{address}/resume',
      'POST /api/workers/{id}/drain',
      'POST /api/workers/{id}/undrain',
      'POST /xmlrpc/{address}',
      'PUT /api/services/{address}/jobs/{id}/priority',
    ]);
    const addJob = document.paths['/api/services/{address}/jobs'].post;
    expect(addJob.requestBody.content['application/json'].schema.required).toEqual(['task']);
    expect(Object.keys(addJob.responses)).toEqual(expect.arrayContaining(['201', '4XX', '5XX']));
    expect(document.paths['/xmlrpc/{address}'].post.requestBody.content).toHaveProperty('text/xml');
    // The schemes are declared; without users no operation requires them.
    expect(Object.keys(document.components.securitySchemes)).toEqual(['basicAuth', 'bearerAuth']);
    expect(document.security).toEqual([{}]);
  });
});

describe('/docs', () => {
  it('serves Swagger UI from the installed package, without a CDN', async () => {
    const page = await app.inject('/docs/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('./static/swagger-ui-bundle.js');
    expect(page.body).not.toMatch(/(src|href)="https?:\/\//);
    const bundle = await app.inject('/docs/static/swagger-ui-bundle.js');
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    expect(bundle.body.length).toBeGreaterThan(100_000);
    const initializer = await app.inject('/docs/static/swagger-initializer.js');
    expect(initializer.body).toContain('validatorUrl: null');
  });
});

describe('/healthz', () => {
  it('is 200 while the store answers', async () => {
    const response = await app.inject('/healthz');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('is 503 when the store cannot be reached, and 200 again once it can', async () => {
    const get = vi.spyOn(kernel.store, 'get').mockRejectedValueOnce(new Error('connection refused'));
    try {
      const response = await app.inject('/healthz');
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ status: 'unavailable', error: { code: 'store_unreachable', message: 'the memory job store cannot be reached' } });
      expect((await app.inject('/healthz')).statusCode).toBe(200);
    } finally {
      get.mockRestore();
    }
  });
});
