/**
 * Issue 14, draining one process, with real processes on PostgreSQL: a `remotetask serve` and two
 * `remotetask worker` processes run a gated job each; worker B is drained through the API. Its
 * running job finishes, the jobs added after go only to the other processes, B stays up and is
 * listed draining, then drained; undrained (and the others drained), it runs every new job.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RemotetaskClient, type WorkerJson } from '../core/client/index.js';
import { fleetConfig, isAlive, poll, readRuns, useFleetTest, writeConfig } from './fixtures/worker-fleet.js';
import { type RunningServer, startRemotetaskServer } from './helpers/start-remotetask-server.js';

const fleetTest = useFleetTest('drain');
const { fleet, setUp, observer } = fleetTest;
let server: RunningServer | undefined;

afterEach(async () => {
  await server?.stop('SIGKILL');
  server = undefined;
});

const startedIds = (out: string) => new Set(readRuns(out).filter((line) => line.kind === 'start').map((line) => line.id));

describe('PostgreSQL store: draining one process', { timeout: 90_000 }, () => {
  it('drains worker B: its running job finishes, new jobs go to the others only, and undrained it claims again', async () => {
    const { out } = setUp('drain');
    const config = fleetConfig({ url: fleetTest.url, schema: 'drain', out, services: { Svc: {} } });
    const configFile = writeConfig(fleetTest.dir, config);
    server = await startRemotetaskServer(config as unknown as Record<string, unknown>, {
      env: { REMOTETASK_HOSTNAME: 'host-a', REMOTETASK_STORE: '' },
      args: ['--no-dashboard'],
    });
    const [b] = await fleet.start(1, configFile, { REMOTETASK_HOSTNAME: 'host-b' });
    const [c] = await fleet.start(1, configFile, { REMOTETASK_HOSTNAME: 'host-c' });
    const service = (await observer(config)).getService('@Svc');
    const client = new RemotetaskClient({ url: server.url });
    let workers: WorkerJson[] = [];
    const detail = () => JSON.stringify(workers) + fleet.output() + server!.output();
    await poll(async () => { workers = (await client.workers()).workers; return workers.filter((w) => !w.lost).length === 3; }, {
      what: 'three processes registered', detail,
    });
    const idOf = (pid: number) => workers.find((worker) => worker.pid === pid)!.id;

    // One gated job in each process (each processes one at a time): B holds one.
    const gate = join(fleetTest.dir, 'gate');
    const gated: number[] = [];
    for (let n = 0; n < 3; n++) gated.push(await service.add('record', { gate }));
    await poll(() => startedIds(out).size === 3, { what: 'the three gated jobs running', detail });
    const onB = readRuns(out).find((line) => line.kind === 'start' && line.pid === b.pid)!.id;

    expect(await client.setWorkerDraining(idOf(b.pid), true)).toEqual({ id: idOf(b.pid), draining: true });
    await b.waitForOutput(/service @Svc drains in this process/, 10_000);
    workers = (await client.workers()).workers;
    expect(workers.map((worker) => [worker.host, worker.draining, worker.jobs.map((job) => job.id)])).toEqual([
      ['host-a', false, [expect.any(Number)]],
      ['host-b', true, [onB]],
      ['host-c', false, [expect.any(Number)]],
    ]);

    // Jobs added now wait for a free process; the gate opens and B's job finishes, but B takes none of them.
    const later: number[] = [];
    for (let n = 0; n < 6; n++) later.push(await service.add('record', {}));
    writeFileSync(gate, '');
    await poll(async () => {
      for (const id of [...gated, ...later]) if ((await service.getJob(id))?.status !== 'completed') return false;
      return true;
    }, { what: 'every job completed', detail });
    const runs = readRuns(out);
    expect(runs.filter((line) => line.kind === 'end' && line.id === onB)).toEqual([{ kind: 'end', id: onB, pid: b.pid }]);
    const laterPids = new Set(runs.filter((line) => line.kind === 'start' && later.includes(line.id)).map((line) => line.pid));
    expect([...laterPids].every((pid) => pid === server!.child.pid || pid === c.pid)).toBe(true);
    expect(laterPids.has(b.pid)).toBe(false);

    // B stays up, listed drained: it holds nothing and claims nothing.
    expect(isAlive(b)).toBe(true);
    workers = (await client.workers()).workers;
    expect(workers.find((worker) => worker.pid === b.pid)).toMatchObject({ lost: false, draining: true, jobs: [] });
    // Every process says in its beat how many runs it ended: the fleet's sum is every run once.
    await poll(async () => {
      workers = (await client.workers()).workers;
      return workers.reduce((sum, worker) => sum + (worker.finished?.total ?? 0), 0) === 9;
    }, { what: 'the beats count the nine runs', detail });
    expect(workers.find((worker) => worker.pid === b.pid)!.finished!.total).toBe(1);

    // Undrained, B claims again; with the two others drained now, it runs every new job.
    await client.setWorkerDraining(idOf(server.child.pid!), true);
    await client.setWorkerDraining(idOf(c.pid), true);
    await client.setWorkerDraining(idOf(b.pid), false);
    await b.waitForOutput(/service @Svc claims again in this process/, 10_000);
    await c.waitForOutput(/service @Svc drains in this process/, 10_000);
    await server.waitForOutput(/service @Svc drains in this process/, 10_000);
    const again: number[] = [];
    for (let n = 0; n < 3; n++) again.push(await service.add('record', {}));
    await poll(async () => {
      for (const id of again) if ((await service.getJob(id))?.status !== 'completed') return false;
      return true;
    }, { what: 'the jobs added after the undrain completed', detail });
    expect(readRuns(out).filter((line) => line.kind === 'start' && again.includes(line.id)).map((line) => line.pid)).toEqual([b.pid, b.pid, b.pid]);

    // An unknown id is a clear 404.
    await expect(client.setWorkerDraining('no-such-process', true)).rejects.toThrow(/no process "no-such-process" is registered/);
  });
});
