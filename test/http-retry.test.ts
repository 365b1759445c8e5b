import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemotetaskClient } from 'remotetask/client';
import type { Kernel } from '../core/index.js';
import { type ServedTestKernel, serveHttpTestKernel } from './helpers/http-test-kernel.js';

let served: ServedTestKernel;
let kernel: Kernel;
let app: FastifyInstance;
let client: RemotetaskClient;

beforeAll(async () => {
  served = await serveHttpTestKernel();
  ({ kernel, app } = served);
  client = new RemotetaskClient({ url: served.base });
});
afterAll(() => served.close());

/** Adds jobs of the failing task and runs them: they end `error`. */
async function failedJobs(count: number): Promise<number[]> {
  const service = kernel.getService('@RootTaskService');
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push(await service.add('fail', null));
  for (const _ of ids) await service.process();
  for (const id of ids) expect(await service.getStatus(id)).toBe('error');
  return ids;
}

describe('retry over REST and the typed client', () => {
  it('retries one failed job, attempts counted afresh, and refuses one that did not fail', async () => {
    const [id] = await failedJobs(1);
    const service = client.service();
    expect(await service.retry(id)).toEqual({ id, status: 'queued' });
    expect(await service.job(id)).toMatchObject({ status: 'queued', attempts: 0, error: 'this task always fails' });
    const refused = await app.inject({ method: 'POST', url: `/api/services/@RootTaskService/jobs/${id}/retry` });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'job_state', message: expect.stringMatching(/job \d+ is queued; only a failed \(error\) or cancelled job/) });
    const unknown = await app.inject({ method: 'POST', url: '/api/services/@RootTaskService/jobs/987654/retry' });
    expect(unknown.statusCode).toBe(404);
    await kernel.getService('@RootTaskService').cancelAll();
    await kernel.getService('@RootTaskService').clean();
  });

  it('retries all failed jobs, or the cancelled ones of a task when asked', async () => {
    const failed = await failedJobs(3);
    const root = kernel.getService('@RootTaskService');
    const cancelled = await root.add('echo', 1, { startLater: true });
    await root.cancel(cancelled);
    expect(await client.service().retryAll()).toBe(3);
    for (const id of failed) expect(await root.getStatus(id)).toBe('queued');
    expect(await root.getStatus(cancelled)).toBe('cancelled');
    expect(await client.service().retryAll({ status: ['cancelled'], task: 'fail' })).toBe(0);
    expect(await client.service().retryAll({ status: ['cancelled'], task: 'echo' })).toBe(1);
    expect(await root.getStatus(cancelled)).toBe('queued');
    await root.cancelAll();
    await root.clean();
  });

  it('says what is wrong with a bad retry-all body', async () => {
    const bad = await app.inject({ method: 'POST', url: '/api/services/@RootTaskService/jobs/retry-all', payload: { status: ['completed'] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/status/);
    const none = await app.inject({ method: 'POST', url: '/api/services/@RootTaskService/jobs/retry-all' });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.message).toBe('body must be object');
    const defaults = await app.inject({ method: 'POST', url: '/api/services/@RootTaskService/jobs/retry-all', payload: {} });
    expect(defaults.json()).toEqual({ retried: 0 });
  });
});

describe('retry over XML-RPC', () => {
  it('retries a failed job and faults for one that cannot be retried', async () => {
    const [id] = await failedJobs(1);
    const call = (jobId: number) =>
      app.inject({
        method: 'POST',
        url: '/xmlrpc/@RootTaskService',
        headers: { 'content-type': 'text/xml' },
        payload: `<?xml version="1.0"?><methodCall><methodName>retry</methodName><params><param><value><int>${jobId}</int></value></param></params></methodCall>`,
      });
    const first = await call(id);
    expect(first.body).toContain('<string>queued</string>');
    const again = await call(id);
    expect(again.body).toContain('<fault>');
    expect(again.body).toMatch(/job \d+ is queued; only a failed/);
  });
});

describe('retry of a keyed job whose key another job took', () => {
  it('is a conflict naming the key and its holder, over REST, the client and XML-RPC; nothing changes', async () => {
    const root = kernel.getService('@RootTaskService');
    await root.cancelAll();
    await root.clean();
    const first = await root.add('fail', null, { key: 'nightly-report', keyScope: 'running' });
    await root.process();
    expect(await root.getStatus(first)).toBe('error');
    const holder = await root.add('echo', 1, { key: 'nightly-report', keyScope: 'running', startLater: true });
    expect(holder).not.toBe(first);

    const refused = await app.inject({ method: 'POST', url: `/api/services/@RootTaskService/jobs/${first}/retry` });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toEqual({
      code: 'key_taken',
      message: expect.stringContaining(`job ${first} cannot be retried: its key "nightly-report" is held by job ${holder}`),
      details: { key: 'nightly-report', heldBy: holder },
    });
    await expect(client.service().retry(first)).rejects.toMatchObject({ status: 409, code: 'key_taken', message: expect.stringContaining(`held by job ${holder}`) });
    const xmlrpc = await app.inject({
      method: 'POST',
      url: '/xmlrpc/@RootTaskService',
      headers: { 'content-type': 'text/xml' },
      payload: `<?xml version="1.0"?><methodCall><methodName>retry</methodName><params><param><value><int>${first}</int></value></param></params></methodCall>`,
    });
    expect(xmlrpc.body).toContain('<fault>');
    expect(xmlrpc.body).toContain(`its key "nightly-report" is held by job ${holder}`);
    expect(await root.getStatus(first)).toBe('error');
    // retry-all leaves it out rather than failing.
    expect(await client.service().retryAll()).toBe(0);

    await root.cancel(holder);
    expect(await client.service().retry(first)).toEqual({ id: first, status: 'queued' });
    await root.cancelAll();
    await root.clean();
  });
});
