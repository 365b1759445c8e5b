/**
 * Issue 14, the registry of processes, with real processes on PostgreSQL: a `remotetask serve`
 * and two `remotetask worker` processes record themselves; `GET /api/workers` lists the three
 * with their hosts and the jobs each runs (the run log says which process runs which job); a
 * worker killed with `kill -9` is shown lost once its beats stop, the others stay alive.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RemotetaskClient, type WorkerJson } from '../core/client/index.js';
import { fleetConfig, poll, readRuns, useFleetTest, writeConfig } from './fixtures/worker-fleet.js';
import { type RunningServer, startRemotetaskServer } from './helpers/start-remotetask-server.js';

const fleetTest = useFleetTest('registry');
const { fleet, setUp, observer } = fleetTest;
let server: RunningServer | undefined;

afterEach(async () => {
  await server?.stop('SIGKILL');
  server = undefined;
});

/** A server on host-a and workers on host-b and host-c, all processing @Svc one job at a time. */
async function startFleet(prefix: string, services: Record<string, object> = { Svc: {} }) {
  const { out } = setUp(prefix);
  const config = fleetConfig({ url: fleetTest.url, schema: prefix, out, services });
  const configFile = writeConfig(fleetTest.dir, config);
  server = await startRemotetaskServer(config as unknown as Record<string, unknown>, {
    env: { REMOTETASK_HOSTNAME: 'host-a', REMOTETASK_STORE: '' },
    args: ['--no-dashboard'],
  });
  const [b] = await fleet.start(1, configFile, { REMOTETASK_HOSTNAME: 'host-b' });
  const [c] = await fleet.start(1, configFile, { REMOTETASK_HOSTNAME: 'host-c' });
  const client = new RemotetaskClient({ url: server.url });
  const k = await observer(config);
  return { out, client, kernel: k, service: k.getService('@Svc'), pids: { a: server.child.pid!, b: b.pid, c: c.pid }, workers: { b, c } };
}

let last: WorkerJson[] = [];
const alive = (workers: WorkerJson[]) => workers.filter((worker) => !worker.lost);

describe('PostgreSQL store: the registry of processes', { timeout: 90_000 }, () => {
  it('lists the server and both workers, with their hosts, roles and the jobs each runs', async () => {
    const { out, client, service, pids } = await startFleet('listing');
    await poll(async () => { last = (await client.workers()).workers; return alive(last).length === 3; }, {
      what: 'three processes registered',
      detail: () => JSON.stringify(last) + fleet.output() + server!.output(),
    });

    const gate = join(fleetTest.dir, 'gate');
    const ids: number[] = [];
    for (let n = 0; n < 3; n++) ids.push(await service.add('record', { gate }));
    await poll(() => new Set(readRuns(out).filter((line) => line.kind === 'start').map((line) => line.id)).size === 3, {
      what: 'all three jobs running',
      detail: () => JSON.stringify(last) + fleet.output() + server!.output(),
    });
    const runner = new Map(readRuns(out).filter((line) => line.kind === 'start').map((line) => [line.id, line.pid]));

    const { workers } = await client.workers();
    expect(workers.map((worker) => [worker.host, worker.pid, worker.role, worker.lost])).toEqual([
      ['host-a', pids.a, 'serve', false],
      ['host-b', pids.b, 'worker', false],
      ['host-c', pids.c, 'worker', false],
    ]);
    for (const worker of workers) {
      expect(worker.services).toEqual([{ address: '@Svc', concurrency: 1 }]);
      // Each process lists exactly the jobs the run log says it runs, with their start times.
      expect(worker.jobs.map((job) => job.id)).toEqual(ids.filter((id) => runner.get(id) === worker.pid));
      for (const job of worker.jobs) expect(job).toMatchObject({ service: '@Svc', task: 'record', started: expect.any(String) });
    }
    expect(workers.flatMap((worker) => worker.jobs.map((job) => job.id)).sort((x, y) => x - y)).toEqual(ids);
    // The server's /metrics counts the fleet from the store, next to Node's own process metrics.
    const metrics = await (await fetch(`${server!.url}/metrics`)).text();
    expect(metrics).toContain('remotetask_processes{state="alive"} 3');
    expect(metrics).toContain('remotetask_jobs{service="@Svc",status="processing"} 3');
    expect(metrics).toMatch(/^process_cpu_user_seconds_total \d/m);

    writeFileSync(gate, '');
    await poll(async () => (await client.workers()).workers.every((worker) => worker.jobs.length === 0), { what: 'no job held' });
  });

  it('shows a worker killed with kill -9 as lost, and removes one that stopped cleanly', async () => {
    const { client, pids, workers } = await startFleet('lost');
    await poll(async () => { last = (await client.workers()).workers; return alive(last).length === 3; }, {
      what: 'three processes registered',
      detail: () => JSON.stringify(last) + fleet.output() + server!.output(),
    });

    workers.b.child.kill('SIGKILL');
    await workers.b.exited;
    await poll(async () => (await client.workers()).workers.some((worker) => worker.pid === pids.b && worker.lost), {
      what: 'the killed worker shown lost',
    });
    const after = (await client.workers()).workers;
    expect(after.map((worker) => [worker.host, worker.lost])).toEqual([['host-a', false], ['host-b', true], ['host-c', false]]);
    const metrics = await (await fetch(`${server!.url}/metrics`)).text();
    expect(metrics).toContain('remotetask_processes{state="lost"} 1');

    workers.c.child.kill('SIGTERM');
    await workers.c.exited;
    expect((await client.workers()).workers.map((worker) => worker.host)).toEqual(['host-a', 'host-b']);
  });
});

describe('PostgreSQL store: a fleet-wide pause', { timeout: 90_000 }, () => {
  it('pauses a service on all three processes (no claim; running jobs finish), and the resume runs its jobs', async () => {
    const { out, client, kernel, service, workers } = await startFleet('pause', { Svc: {}, Other: {} });
    const outputs = () => [server!.output(), workers.b.output(), workers.c.output()];
    const gate = join(fleetTest.dir, 'gate');
    const running = await service.add('record', { gate });
    await poll(() => readRuns(out).some((line) => line.kind === 'start' && line.id === running), { what: 'the gated job running' });

    expect(await client.service('@Svc').setPausedEverywhere(true)).toMatchObject({ paused: true, since: expect.any(String) });
    // Each process says when it heard of the pause (the store's notification, not a poll).
    await poll(() => outputs().every((text) => text.includes('service @Svc paused for every process')), {
      what: 'all three processes paused',
      detail: () => outputs().join('\n'),
    });

    const waiting = await service.add('record', {});
    // A job of another service, added after it, runs: the fleet is awake and claiming, just not @Svc.
    const other = await kernel.getService('@Other').add('record', {});
    await poll(async () => (await kernel.getService('@Other').getJob(other))?.status === 'completed', { what: 'the other service\'s job completed' });
    expect((await service.getJob(waiting))?.status).toBe('queued');
    expect(readRuns(out).filter((line) => line.id === waiting)).toEqual([]);
    const metrics = await (await fetch(`${server!.url}/metrics`)).text();
    expect(metrics).toContain('remotetask_service_paused{service="@Svc"} 1');
    expect(metrics).toContain('remotetask_service_paused{service="@Other"} 0');
    expect(metrics).toMatch(/^remotetask_oldest_queued_job_age_seconds\{service="@Svc"\} \d/m);

    // The job running when the pause came finishes.
    writeFileSync(gate, '');
    await poll(async () => (await service.getJob(running))?.status === 'completed', { what: 'the running job completed' });
    expect((await service.getJob(waiting))?.status).toBe('queued');
    expect(await client.service('@Svc').setPausedEverywhere(false)).toEqual({ paused: false, since: null });
    await poll(async () => (await service.getJob(waiting))?.status === 'completed', { what: 'the waiting job completed after the resume' });
  });
});
