import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, definePlugin, type Kernel } from '../core/index.js';
import httpPlugin, { HttpRoutes, type HttpRouteContribution, httpServerOf } from '../plugins/http/index.js';
import { hashToken } from '../plugins/http/auth/hash-token.js';
import { captureLog } from './helpers/capture-log.js';

const kernels: Kernel[] = [];
afterEach(async () => {
  await Promise.all(kernels.splice(0).map((kernel) => kernel.close()));
});

/** A plugin adding a route through the http plugin's contribution point, as the dashboard will. */
const helloPlugin = definePlugin({
  name: 'hello',
  register(ctx) {
    ctx.contribute<HttpRouteContribution>(HttpRoutes, (app, kernel) => {
      app.get('/hello', async () => ({ hello: kernel.services().map((service) => service.address) }));
      app.post('/hello', async () => ({ changed: true }));
    });
  },
});

async function boot(config: Record<string, unknown> = {}) {
  const log = captureLog();
  const kernel = await createKernel(
    { store: { kind: 'memory' }, plugins: ['echo', helloPlugin, httpPlugin], sites: { '': { services: { RootTaskService: {} } } }, http: { port: 0 }, ...config },
    { logger: log.logger },
  );
  kernels.push(kernel);
  return { kernel, log, server: httpServerOf(kernel)! };
}

describe('the http plugin', () => {
  it('listens at boot on loopback, logs where, and says when no users are configured', async () => {
    const { server, log } = await boot();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
    expect(log.records).toEqual(expect.arrayContaining([
      { level: 'info', message: `listening on ${server.url}` },
      { level: 'warn', message: 'no users configured (http.users): anyone on this machine may use the API, so it listens on loopback only' },
    ]));
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
  });

  it('serves routes other plugins contribute', async () => {
    const { server } = await boot();
    expect(await (await fetch(`${server.url}/hello`)).json()).toEqual({ hello: ['@RootTaskService'] });
  });

  it('puts contributed routes behind the same authentication and roles', async () => {
    const { server } = await boot({
      http: { port: 0, users: { ci: { role: 'manager', tokenHash: hashToken('t1') }, view: { role: 'viewer', tokenHash: hashToken('t2') } } },
    });
    expect((await fetch(`${server.url}/hello`)).status).toBe(401);
    expect((await fetch(`${server.url}/hello`, { headers: { authorization: 'Bearer t2' } })).status).toBe(200);
    expect((await fetch(`${server.url}/hello`, { method: 'POST', headers: { authorization: 'Bearer t2' } })).status).toBe(403);
    expect((await fetch(`${server.url}/hello`, { method: 'POST', headers: { authorization: 'Bearer t1' } })).status).toBe(200);
  });

  it('stops listening when the kernel closes', async () => {
    const { kernel, server } = await boot();
    await kernel.close();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow(/fetch failed/);
  });

  it('makes the boot fail, kernel closed, when it cannot listen', async () => {
    const { server } = await boot();
    const port = Number(new URL(server.url).port);
    await expect(boot({ http: { port } })).rejects.toThrow(/EADDRINUSE/);
  });
});
