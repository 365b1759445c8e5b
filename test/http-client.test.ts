import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kernel } from '../core/index.js';
import { RemotetaskClient, RemotetaskHttpError } from 'remotetask/client';
import { buildHttpApp } from '../plugins/http/index.js';
import { hashPassword } from '../plugins/http/auth/hash-password.js';
import { hashToken } from '../plugins/http/auth/hash-token.js';
import { closedPort } from './helpers/closed-port.js';
import { createHttpTestKernel, jobCount } from './helpers/http-test-kernel.js';

let kernel: Kernel;
let app: FastifyInstance;
let client: RemotetaskClient;

beforeAll(async () => {
  kernel = await createHttpTestKernel({
    http: {
      users: {
        alice: { role: 'manager', passwordHash: await hashPassword('wonderland', { N: 1024, r: 8, p: 1 }) },
        ci: { role: 'manager', tokenHash: hashToken('the-ci-token') },
      },
    },
  });
  app = await buildHttpApp(kernel);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  client = new RemotetaskClient({ url, username: 'alice', password: 'wonderland' });
});
afterAll(async () => {
  await app.close();
  await kernel.close();
});

describe('RemotetaskClient', () => {
  it('is what `remotetask/client` exports', async () => {
    const fromPackage = await import('remotetask/client');
    expect(fromPackage.RemotetaskClient).toBe(RemotetaskClient);
  });

  it('reads sites, tasks, health, metrics and the OpenAPI document', async () => {
    expect((await client.sites()).map((site) => site.name)).toEqual(['', 'site1']);
    expect((await client.service().tasks()).map((task) => task.name)).toEqual(['echo', 'fail', 'greet', 'steps']);
    expect(await client.health()).toEqual({ status: 'ok' });
    expect(await client.metrics()).toMatch(/^# HELP remotetask_/m);
    expect((await client.openApi()).openapi).toBe('3.0.3');
  });

  it('adds, reads, lists, starts, cancels and cleans jobs of a service', async () => {
    const service = client.service('site1@Svc');
    const added = await service.add('echo', { n: 1 }, { startLater: true });
    expect(added.status).toBe('start later');
    expect(await service.start(added.id)).toEqual({ id: added.id, status: 'queued' });
    await kernel.getService('site1@Svc').process();
    expect(await service.job(added.id)).toMatchObject({ status: 'completed', result: { n: 1 } });

    const other = await service.add('echo');
    expect((await service.jobs({ status: ['queued'] })).jobs.map((job) => job.id)).toEqual([other.id]);
    expect((await service.jobs({ status: 'completed', limit: 1 })).jobs.map((job) => job.id)).toEqual([added.id]);
    expect(await service.cancel(other.id)).toEqual({ id: other.id, status: 'cancelled' });
    expect(await service.cancelAll()).toBe(0);
    expect(await service.clean(['cancelled'])).toBe(1);
    expect(await service.clean()).toBe(1);
    expect((await service.jobs()).jobs).toEqual([]);
  });

  it('adds and reschedules cron jobs, and switches processing', async () => {
    const service = client.service();
    const { id, status } = await service.addCronJob('echo', null, { minute: [0, 30] });
    expect(status).toBe('cronjob');
    expect((await service.updateSchedule(id, { cron: '5 4 * * *' })).schedule).toEqual({ cron: '5 4 * * *' });
    expect(await service.setProcessing('start')).toBe(true);
    expect(await service.setProcessing('stop')).toBe(false);
    await service.cancel(id);
  });

  it('throws RemotetaskHttpError with the server\'s status, code, message and details', async () => {
    const error = (await client.service().add('ehco').catch((caught: unknown) => caught)) as RemotetaskHttpError;
    expect(error).toBeInstanceOf(RemotetaskHttpError);
    expect(error).toMatchObject({ status: 404, code: 'unknown_task', details: { available: ['echo', 'fail', 'greet', 'steps'] } });
    expect(error.message).toMatch(/^task "ehco" is not registered/);
    await expect(client.service('@Gone').jobs()).rejects.toMatchObject({ status: 404, code: 'unknown_service' });
  });

  it('authenticates with a bearer token, and reports 401 for a wrong password', async () => {
    const withToken = new RemotetaskClient({ url: client.url, token: 'the-ci-token' });
    expect((await withToken.service().add('echo')).status).toBe('queued');
    const wrong = new RemotetaskClient({ url: client.url, username: 'alice', password: 'nope' });
    const before = await jobCount(kernel);
    await expect(wrong.service().add('echo')).rejects.toMatchObject({ status: 401, code: 'unauthorized', message: 'wrong user name or password' });
    expect(await jobCount(kernel)).toBe(before);
    await expect(new RemotetaskClient({ url: client.url }).sites()).rejects.toMatchObject({ status: 401 });
  });

  it('reports a server it cannot reach as status 0, connection_failed', async () => {
    const port = await closedPort();
    const unreachable = new RemotetaskClient({ url: `http://127.0.0.1:${port}/` });
    const error = (await unreachable.sites().catch((caught: unknown) => caught)) as RemotetaskHttpError;
    expect(error).toBeInstanceOf(RemotetaskHttpError);
    expect(error).toMatchObject({ status: 0, code: 'connection_failed' });
    expect(error.message).toBe(`cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
  });
});
