/** `remotetask serve` as a real process: it listens, answers over HTTP, refuses unsafe setups, and stops on a signal. */
import { afterAll, describe, expect, it } from 'vitest';
import { e2eConfig, type RunningServer, startRemotetaskServer, writeTemporaryConfig } from './helpers/start-remotetask-server.js';
import { runCli } from './helpers/run-process.js';

const servers: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop('SIGKILL')));
});

async function start(...args: Parameters<typeof startRemotetaskServer>) {
  const server = await startRemotetaskServer(...args);
  servers.push(server);
  return server;
}

describe('remotetask serve', () => {
  it('loads the http plugin although the config does not name it, and logs the real port of --port 0', async () => {
    const server = await start();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:(\d+)$/);
    expect(server.url).not.toMatch(/:0$/);
    await server.waitForOutput(/plugins echo, e2e-tasks, http, dashboard, services @RootTaskService/);
    expect(server.output()).toMatch(/no users configured \(http\.users\).*loopback only/);
    const response = await fetch(`${server.url}/api/services/%40RootTaskService/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ task: 'echo', input: { over: 'http' } }),
    });
    expect(response.status).toBe(201);
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
  });

  it('closes HTTP, then the kernel, on SIGTERM and exits 0', async () => {
    const server = await start();
    const code = await server.stop('SIGTERM');
    expect(code).toBe(0);
    const output = server.output();
    const closedHttp = output.indexOf('stopped listening on');
    const stopped = output.indexOf('INFO stopped\n');
    expect(closedHttp).toBeGreaterThan(0);
    expect(stopped).toBeGreaterThan(closedHttp);
  });

  it('stops on SIGINT too', async () => {
    const server = await start();
    expect(await server.stop('SIGINT')).toBe(0);
    expect(server.output()).toMatch(/SIGINT received/);
  });

  it('takes host and port from the config\'s http section, --port winning', async () => {
    const server = await start(e2eConfig({ http: { host: 'localhost', port: 1 } }));
    expect(server.url).toMatch(/^http:\/\/localhost:\d+$/);
    expect(server.url).not.toBe('http://localhost:1');
  });

  it('refuses to listen on a non-loopback host without users: a clear error and exit code 1', async () => {
    const config = writeTemporaryConfig(e2eConfig());
    try {
      const result = await runCli(['serve', '--config', config.file, '--host', '0.0.0.0', '--port', '0']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^remotetask: refusing to listen on 0\.0\.0\.0 without users: anyone who can reach it could run and cancel jobs/m);
      expect(result.stdout + result.stderr).not.toMatch(/listening on/);
    } finally {
      config.remove();
    }
  });

  it('listens on a non-loopback host once users exist', async () => {
    const server = await start(e2eConfig({ http: { users: { ci: { role: 'manager', tokenEnv: 'CI_TOKEN' } } } }), {
      args: ['--host', '0.0.0.0'],
      env: { CI_TOKEN: 'e2e-token' },
    });
    expect(server.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    const port = new URL(server.url).port;
    expect((await fetch(`http://127.0.0.1:${port}/api/sites`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/api/sites`, { headers: { authorization: 'Bearer e2e-token' } })).status).toBe(200);
  });

  it('refuses a port that is no port, as a usage error (exit 2)', async () => {
    const result = await runCli(['serve', '--port', 'eighty']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/a port is a whole number from 0 to 65535/);
  });
});
