/**
 * Event ids on one process (the memory store, as SQLite): a stream reconnecting with Last-Event-ID
 * gets what came after that id, none twice; a reconnecting client (`reconnect: true`) picks up
 * where it left off after the server ended its stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kernel } from '../core/index.js';
import { type JobEventJson, RemotetaskClient } from '../core/client/index.js';
import { buildHttpApp } from '../plugins/http/index.js';
import { type ServedTestKernel, serveHttpTestKernel } from './helpers/http-test-kernel.js';
import { waitUntil } from './helpers/wait-for.js';

let served: ServedTestKernel;
let kernel: Kernel;
let client: RemotetaskClient;

beforeAll(async () => {
  served = await serveHttpTestKernel();
  ({ kernel } = served);
  client = new RemotetaskClient({ url: served.base });
});
afterAll(() => served.close());

describe('event ids', () => {
  it('replays the events after Last-Event-ID, then goes on live, none twice', async () => {
    const service = client.service('@RootTaskService');
    const first = await service.events();
    const { id: a } = await service.add('echo', { n: 1 }, { startLater: true });
    const iterator = first[Symbol.asyncIterator]();
    const firstEvent = (await iterator.next()).value as JobEventJson;
    expect(firstEvent).toMatchObject({ type: 'added', jobId: a });
    const lastId = first.lastEventId!;
    expect(lastId).toMatch(/^[0-9a-f]+-\d+$/);
    first.close();

    // Missed while away: two jobs added.
    const { id: b } = await service.add('echo', { n: 2 }, { startLater: true });
    const { id: c } = await service.add('echo', { n: 3 }, { startLater: true });
    const resyncs: string[] = [];
    const second = await service.events({ lastEventId: lastId, onResync: (reason) => resyncs.push(reason) });
    const { id: d } = await service.add('echo', { n: 4 }, { startLater: true });
    const seen: Array<{ id?: string; jobId: number }> = [];
    for await (const event of second) {
      seen.push({ id: second.lastEventId, jobId: event.jobId });
      if (event.jobId === d) break;
    }
    expect(seen.map((event) => event.jobId)).toEqual([b, c, d]);
    expect(new Set(seen.map((event) => event.id)).size).toBe(3);
    expect(resyncs).toEqual([]);
  });

  it('a reconnecting stream carries on after the server ended it, missing nothing', async () => {
    const service = client.service('@RootTaskService');
    const ownApp = await buildHttpApp(kernel);
    const ownUrl = await ownApp.listen({ host: '127.0.0.1', port: 0 });
    const port = Number(new URL(ownUrl).port);
    const stream = await new RemotetaskClient({ url: ownUrl }).service('@RootTaskService').events({ reconnect: true });
    const jobIds: number[] = [];
    const reading = (async () => {
      for await (const event of stream) {
        jobIds.push(event.jobId);
        if (jobIds.length === 2) break;
      }
    })();
    const { id: first } = await service.add('echo', null, { startLater: true });
    await waitUntil(() => jobIds.length === 1, { timeout: 5_000, what: 'the first event' });
    await ownApp.close();
    // Added while the stream is down; a new server on the same port, same kernel (same window).
    const { id: second } = await service.add('echo', null, { startLater: true });
    const again = await buildHttpApp(kernel);
    await again.listen({ host: '127.0.0.1', port });
    await reading;
    await again.close();
    expect(jobIds).toEqual([first, second]);
  });
});
