import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemotetaskClient } from 'remotetask/client';
import { createKernel, type Kernel } from '../core/index.js';
import { buildHttpApp } from '../plugins/http/index.js';
import { captureLog } from './helpers/capture-log.js';
import { flakyTasks, NO_BACKOFF } from './helpers/flaky-tasks.js';

let kernel: Kernel;
let app: FastifyInstance;
let client: RemotetaskClient;

beforeAll(async () => {
  kernel = await createKernel(
    {
      store: { kind: 'memory' },
      plugins: [flakyTasks],
      // No backoff: each retry is due at once, so three process() calls run the three attempts.
      sites: { '': { services: { RootTaskService: NO_BACKOFF } } },
    },
    { autostart: false, logger: captureLog().logger },
  );
  app = await buildHttpApp(kernel);
  await app.listen({ host: '127.0.0.1', port: 0 });
  client = new RemotetaskClient({ url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` });
});
afterAll(async () => {
  await app.close();
  await kernel.close();
});

describe('attempt history over REST, the client and XML-RPC', () => {
  it('a job failing twice then succeeding shows three attempts, newest first, with errors and stacks', async () => {
    const service = kernel.getService('@RootTaskService');
    const id = await service.add('flaky', null);
    for (let run = 0; run < 3; run++) await service.process();
    expect(await service.getStatus(id)).toBe('completed');
    expect(await service.getError(id)).toBeNull();

    const response = await app.inject({ url: `/api/services/@RootTaskService/jobs/${id}/attempts` });
    expect(response.statusCode).toBe(200);
    const { attempts } = response.json();
    expect(attempts.map((a: { attempt: number; outcome: string; error: string | null }) => [a.attempt, a.outcome, a.error])).toEqual([
      [3, 'completed', null],
      [2, 'retry', 'flaky run 2'],
      [1, 'retry', 'flaky run 1'],
    ]);
    expect(attempts[1].errorStack).toMatch(/^Error: flaky run 2\n\s+at /);
    for (const attempt of attempts) {
      expect(attempt.workerId).toEqual(expect.any(String));
      expect(Date.parse(attempt.ended)).toBeGreaterThanOrEqual(Date.parse(attempt.started));
    }
    expect(await client.service().attempts(id)).toEqual(attempts);

    const xmlrpc = await app.inject({
      method: 'POST',
      url: '/xmlrpc/@RootTaskService',
      headers: { 'content-type': 'text/xml' },
      payload: `<?xml version="1.0"?><methodCall><methodName>getAttempts</methodName><params><param><value><int>${id}</int></value></param></params></methodCall>`,
    });
    expect(xmlrpc.body).not.toContain('<fault>');
    expect(xmlrpc.body.match(/<name>outcome<\/name>/g)).toHaveLength(3);
    expect(xmlrpc.body).toContain('flaky run 1');
  });

  it('answers an empty history for a job that has not run, 404 for an unknown job', async () => {
    const id = await kernel.getService('@RootTaskService').add('flaky', null, { startLater: true });
    expect(await client.service().attempts(id)).toEqual([]);
    const unknown = await app.inject({ url: '/api/services/@RootTaskService/jobs/987654/attempts' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('unknown_job');
  });

  it('is in the OpenAPI document', async () => {
    const document = (await app.inject('/openapi.json')).json();
    const operation = document.paths['/api/services/{address}/jobs/{id}/attempts'].get;
    expect(operation.operationId).toBe('getJobAttempts');
    expect(operation.responses['200'].content['application/json'].schema.properties.attempts.items.properties.outcome.enum).toContain('lost');
  });
});
