/**
 * The database goes away: an add over HTTP is a 503 `store_unreachable` (and an XML-RPC fault 7),
 * not a 500, nothing of it stays, and the server carries on once the database is back. `serve` and
 * `worker` started while it is down wait for it, saying so, instead of exiting.
 *
 * The server is a throwaway PostgreSQL cluster of this file's own, stopped and started at will.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedTestKernel, serveHttpTestKernel } from './helpers/http-test-kernel.js';
import { type RunningProcess, spawnRemotetask } from './helpers/spawn-remotetask.js';
import { createTemporaryDatabase, startTemporaryCluster, type TemporaryCluster } from './helpers/temporary-postgres.js';
import { waitUntil } from './helpers/wait-for.js';

const ROOT = '/api/services/@RootTaskService';
const ADD_XML = '<?xml version="1.0"?><methodCall><methodName>add</methodName><params><param><value><string>echo</string></value></param></params></methodCall>';

let cluster: TemporaryCluster;
let dir: string;
const processes: RunningProcess[] = [];

beforeAll(async () => {
  cluster = await startTemporaryCluster();
  dir = mkdtempSync(join(tmpdir(), 'remotetask-outage-'));
}, 60_000);
afterAll(async () => {
  for (const running of processes) running.child.kill('SIGKILL');
  await Promise.all(processes.map((running) => running.exited));
  await cluster?.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('the database is down', { timeout: 90_000 }, () => {
  let served: ServedTestKernel | undefined;

  afterAll(async () => {
    await served?.close();
  });

  it('an add is a 503 store_unreachable over REST and a fault over XML-RPC; once it is back, adds work again', async () => {
    const database = await createTemporaryDatabase('outage', cluster.url());
    served = await serveHttpTestKernel({ store: { kind: 'postgres', url: database.url } });
    const { base } = served;
    const add = () => fetch(`${base}${ROOT}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"task":"echo","input":"x"}' });
    expect((await add()).status).toBe(201);

    await cluster.stop('immediate');
    const refused = await add();
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as any).error).toEqual({
      code: 'store_unreachable',
      message: 'the job store cannot be reached right now; nothing was changed: try again shortly',
    });
    const fault = await (await fetch(`${base}/xmlrpc/@RootTaskService`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: ADD_XML })).text();
    expect(fault).toMatch(/<name>faultCode<\/name><value><int>7<\/int>/);
    expect(fault).toMatch(/cannot be reached right now/);
    expect((await fetch(`${base}/healthz`)).status).not.toBe(500);

    await cluster.start();
    let answer = 0;
    await waitUntil(async () => (answer = (await add()).status) === 201, { timeout: 20_000, interval: 200, what: 'an add to work again', detail: () => `last status ${answer}` });
    const page = (await (await fetch(`${base}${ROOT}/jobs`)).json()) as { jobs: Array<{ id: number; input: unknown }> };
    // The add that was refused left nothing: the first job, and the ones after the outage.
    expect(page.jobs[0].id).toBe(1);
    expect(page.jobs.every((job: { input: unknown }) => job.input === 'x')).toBe(true);
  });
});

describe('serve and worker started while the database is down', { timeout: 120_000 }, () => {
  it('wait for it, logging each retry, and come up once it is there', async () => {
    const database = await createTemporaryDatabase('boot', cluster.url());
    const configFile = join(dir, 'remotetask.config.json');
    writeFileSync(configFile, JSON.stringify({
      store: { kind: 'postgres', url: database.url },
      plugins: ['echo'],
      sites: { '': { services: { RootTaskService: {} } } },
      autostart: ['@RootTaskService'],
      log: { level: 'info', format: 'pretty' },
    }));
    await cluster.stop('fast');
    const serve = spawnRemotetask(['serve', '--config', configFile, '--port', '0', '--no-dashboard']);
    const worker = spawnRemotetask(['worker', '--config', configFile]);
    processes.push(serve, worker);
    for (const running of [serve, worker]) {
      await running.waitForOutput(/the job store is not reachable, trying again in 1 s: PostgreSQL at 127\.0\.0\.1:\d+ is not reachable/, 30_000);
      await running.waitForOutput(/trying again in 2 s/, 30_000);
    }
    expect(serve.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();

    await cluster.start();
    const [, url] = await serve.waitForOutput(/listening on (http:\/\/[^\s]+)/, 60_000);
    await worker.waitForOutput(/worker \S+ processing: remotetasks\.RootTaskService/, 60_000);
    const added = await fetch(`${url}${ROOT}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"task":"echo","input":"after"}' });
    expect(added.status).toBe(201);
    const { id } = (await added.json()) as { id: number };
    await waitUntil(async () => ((await (await fetch(`${url}${ROOT}/jobs/${id}`)).json()) as { status: string }).status === 'completed', { timeout: 20_000, what: 'the job to complete' });

    for (const running of [serve, worker]) running.child.kill('SIGTERM');
    expect((await serve.exited).code).toBe(0);
    expect((await worker.exited).code).toBe(0);
  });
});
