import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kernel } from '../core/index.js';
import { type JobEventJson, readServerSentEvents, RemotetaskClient } from '../core/client/index.js';
import { buildHttpApp } from '../plugins/http/index.js';
import { createHttpTestKernel } from './helpers/http-test-kernel.js';
import { waitUntil } from './helpers/wait-for.js';

let kernel: Kernel;
let app: FastifyInstance;
let url: string;
let client: RemotetaskClient;

beforeAll(async () => {
  kernel = await createHttpTestKernel();
  app = await buildHttpApp(kernel, { sseHeartbeatMs: 25 });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  client = new RemotetaskClient({ url });
});
afterAll(async () => {
  await app.close();
  await kernel.close();
});

/** Collects events from the stream until `until` says stop. */
async function collect(stream: AsyncIterable<JobEventJson>, until: (event: JobEventJson) => boolean): Promise<JobEventJson[]> {
  const events: JobEventJson[] = [];
  for await (const event of stream) {
    events.push(event);
    if (until(event)) break;
  }
  return events;
}

const openStreams = async () => Number(/^remotetask_http_event_streams (\d+)$/m.exec(await client.metrics())![1]);

describe('the event stream', () => {
  it('sends a job\'s life as named events with JSON data: added, started, progress, completed', async () => {
    const service = client.service('@RootTaskService');
    const stream = await service.events();
    const { id } = await service.add('steps', { steps: 2 });
    await kernel.getService('@RootTaskService').process();
    const events = await collect(stream, (event) => event.type === 'completed');
    expect(events.map((event) => [event.type, event.jobId])).toEqual([
      ['added', id],
      ['started', id],
      ['progress', id],
      ['progress', id],
      ['completed', id],
    ]);
    expect(events[2]).toMatchObject({ service: '@RootTaskService', task: 'steps', progress: 0.5, message: 'step 1 of 2' });
    expect(events[4].time).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
  });

  it('sends failed and cancelled events too', async () => {
    const service = client.service('@RootTaskService');
    const stream = await service.events();
    const failing = await service.add('fail');
    await kernel.getService('@RootTaskService').process();
    const waiting = await service.add('echo');
    await service.cancel(waiting.id);
    const events = await collect(stream, (event) => event.type === 'cancelled');
    expect(events.filter((event) => event.type === 'failed')).toEqual([expect.objectContaining({ jobId: failing.id, status: 'error', error: 'this task always fails' })]);
    expect(events.at(-1)).toMatchObject({ type: 'cancelled', jobId: waiting.id, status: 'cancelled' });
  });

  it('only carries its own service\'s events, and only one job\'s when asked', async () => {
    const root = client.service('@RootTaskService');
    const rootStream = await root.events();
    const site = client.service('site1@Svc');
    const first = await site.add('echo');
    const second = await site.add('echo');
    const oneJob = await site.events({ job: second.id });
    await site.cancel(first.id);
    await site.cancel(second.id);
    const marker = await root.add('echo');
    const rootEvents = await collect(rootStream, (event) => event.jobId === marker.id);
    expect(rootEvents.map((event) => event.service)).toEqual(['@RootTaskService']);
    const jobEvents = await collect(oneJob, (event) => event.type === 'cancelled');
    expect(jobEvents.map((event) => [event.type, event.jobId])).toEqual([['cancelled', second.id]]);
  });

  it('keeps an idle stream alive with heartbeat comments', async () => {
    const response = await fetch(`${url}/api/services/@RootTaskService/events`);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = response.body!.getReader();
    let text = '';
    while ((text.match(/: heartbeat\n\n/g) ?? []).length < 2) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended: ${text}`);
      text += new TextDecoder().decode(value);
    }
    expect(text.startsWith(': events of @RootTaskService\n\n')).toBe(true);
    await reader.cancel();
  });

  it('ends the server\'s side when the client goes away', async () => {
    await waitUntil(async () => (await openStreams()) === 0, { timeout: 5_000, what: 'earlier streams to close' });
    const stream = await client.service('@RootTaskService').events();
    expect(await openStreams()).toBe(1);
    stream.close();
    await waitUntil(async () => (await openStreams()) === 0, { timeout: 5_000, what: 'the stream to close on the server' });
  });

  it('answers an unknown service with 404 before streaming', async () => {
    await expect(client.service('@Nope').events()).rejects.toMatchObject({ status: 404, code: 'unknown_service' });
  });

  it('ends open streams on shutdown, so closing the server does not hang', async () => {
    const ownKernel = await createHttpTestKernel();
    const server = await buildHttpApp(ownKernel);
    const ownUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    const stream = await new RemotetaskClient({ url: ownUrl }).service('@RootTaskService').events();
    const ended = collect(stream, () => false);
    await server.close();
    expect(await ended).toEqual([]);
    await ownKernel.close();
  });
});

describe('readServerSentEvents', () => {
  const streamOf = (...chunks: string[]) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    });
  const read = async (...chunks: string[]) => {
    const events = [];
    for await (const event of readServerSentEvents(streamOf(...chunks))) events.push(event);
    return events;
  };

  it('parses named events, multi-line data, comments and ids across chunk borders', async () => {
    expect(await read(': hello\n\nevent: added\ndata: {"a":', '1}\n\ndata: line one\ndata: line two\nid: 7\n\n')).toEqual([
      { event: 'added', data: '{"a":1}' },
      { event: 'message', data: 'line one\nline two', id: '7' },
    ]);
  });

  it('accepts CRLF and CR line ends, even split between chunks, and drops an unfinished event', async () => {
    expect(await read('event: a\r', '\ndata: 1\r\n\r\nevent: b\rdata:2\r\r', 'data: unfinished')).toEqual([
      { event: 'a', data: '1' },
      { event: 'b', data: '2' },
    ]);
  });
});
