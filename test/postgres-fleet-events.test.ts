/**
 * Issue 14, item 1, with real processes on PostgreSQL: a `remotetask serve` that processes nothing
 * and a `remotetask worker` that processes everything. Job events of the worker (and of a third
 * process that adds jobs) reach the server's SSE stream; `add … --wait` returns the result of a
 * job only the worker runs; a client away for a while during a burst gets, on reconnecting with
 * Last-Event-ID, every transition it missed and none twice.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../core/index.js';
import { RemotetaskClient, type JobEventJson } from '../core/client/index.js';
import { captureLog } from './helpers/capture-log.js';
import { createTemporaryDatabase, type TemporaryDatabase } from './helpers/temporary-postgres.js';
import { runCli } from './helpers/run-process.js';
import { type RunningProcess, spawnRemotetask } from './helpers/spawn-remotetask.js';
import { e2eConfig, type RunningServer, startRemotetaskServer, writeTemporaryConfig } from './helpers/start-remotetask-server.js';
import { waitUntil } from './helpers/wait-for.js';

let database: TemporaryDatabase;
let server: RunningServer | undefined;
let worker: RunningProcess | undefined;
let observer: Kernel | undefined;
const removals: Array<() => void> = [];

beforeAll(async () => {
  database = await createTemporaryDatabase('fleet_events');
});
afterEach(async () => {
  worker?.child.kill('SIGKILL');
  await worker?.exited;
  await server?.stop('SIGKILL');
  await observer?.close();
  for (const remove of removals.splice(0)) remove();
  worker = server = observer = undefined;
});
afterAll(async () => {
  await database?.drop();
});

/** A server that processes nothing and a worker that processes `@RootTaskService`, on one schema. */
async function startFleet(schema: string): Promise<{ url: string; store: Record<string, unknown> }> {
  const store = { kind: 'postgres', url: database.url, schema, poolSize: 4 };
  server = await startRemotetaskServer(e2eConfig({ store, autostart: [] }));
  const written = writeTemporaryConfig(e2eConfig({ store }));
  removals.push(written.remove);
  worker = spawnRemotetask(['worker', '--config', written.file], { REMOTETASK_STORE: '' });
  await worker.waitForOutput(/processing: remotetasks\.RootTaskService/, 30_000);
  return { url: server.url, store };
}

describe('job events across processes (PostgreSQL)', { timeout: 120_000 }, () => {
  it('`remotetask add echo … --wait` returns the result while only a worker processes', async () => {
    const { url } = await startFleet('wait_cli');
    const result = await runCli(['add', 'echo', '{"from":"the cli"}', '--wait', '--url', url, '--service', '@RootTaskService']);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ from: 'the cli' });
    // The server ran nothing: the job's lease holder was the worker.
    expect(server!.output()).not.toMatch(/RootTaskService on site root started/);
  });

  it('a client away during a burst of 1,000 jobs gets every transition it missed after reconnecting, none twice', async () => {
    const { url, store } = await startFleet('burst');
    const service = new RemotetaskClient({ url }).service('@RootTaskService');
    // A third process adds the jobs: its `added` events travel too.
    observer = await createKernel({ ...(e2eConfig({ store, autostart: [] }) as object), plugins: ['echo'] } as never, { logger: captureLog().logger });
    const adder = observer.getService('@RootTaskService');

    const seen: Array<{ id?: string; event: JobEventJson }> = [];
    const first = await service.events();
    let lastId: string | undefined;
    const ids = await Promise.all(Array.from({ length: 1_000 }, (_, n) => adder.add('echo', { n })));
    // Read until a few hundred events have come, then go away.
    for await (const event of first) {
      lastId = first.lastEventId;
      seen.push({ id: lastId, event });
      if (seen.length >= 300) break;
    }
    first.close();
    const completedAtLeave = (await adder.jobs.countByStatus()).completed;
    // Away until a few hundred more jobs have completed (or all): the window holds what was missed.
    await waitUntil(async () => (await adder.jobs.countByStatus()).completed >= Math.min(1_000, completedAtLeave + 300), {
      timeout: 60_000,
      what: 'jobs completing while the client is away',
    });

    const resyncs: string[] = [];
    const second = await service.events({ lastEventId: lastId, onResync: (reason) => resyncs.push(reason) });
    const completed = new Set(seen.filter(({ event }) => event.type === 'completed').map(({ event }) => event.jobId));
    for await (const event of second) {
      seen.push({ id: second.lastEventId, event });
      if (event.type === 'completed') completed.add(event.jobId);
      if (completed.size === 1_000) break;
    }
    second.close();
    expect(resyncs).toEqual([]);

    const eventIds = seen.map(({ id }) => id);
    expect(new Set(eventIds).size).toBe(eventIds.length);
    const byJob = new Map<number, string[]>();
    for (const { event } of seen) byJob.set(event.jobId, [...(byJob.get(event.jobId) ?? []), event.type]);
    const wrong = ids.filter((id) => JSON.stringify(byJob.get(id)) !== JSON.stringify(['added', 'started', 'completed']));
    expect(wrong.map((id) => ({ id, events: byJob.get(id) }))).toEqual([]);
    expect(byJob.size).toBe(1_000);
  });

  it('answers an id it does not hold with a resync event', async () => {
    const { url } = await startFleet('resync');
    const resyncs: string[] = [];
    const stream = await new RemotetaskClient({ url }).service('@RootTaskService').events({ lastEventId: 'feedbeef-12', onResync: (reason) => resyncs.push(reason) });
    const reading = (async () => {
      for await (const _ of stream) break;
    })();
    await waitUntil(() => resyncs.length > 0, { timeout: 10_000, what: 'the resync event' });
    stream.close();
    await reading;
    expect(resyncs[0]).toMatch(/not among the last 10000 events/);
  });
});
