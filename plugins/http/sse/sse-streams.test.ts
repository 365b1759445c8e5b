import { type ClientRequest, get } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../../test/helpers/wait-for.js';
import { type SseStream, type SseStreams, sseStreams } from './sse-streams.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A server with one stream route; `opened` gets each stream, `ended` counts the streams that ended. */
async function serve(cacheControl: string) {
  app = Fastify();
  const streams: SseStreams = sseStreams(app, { heartbeatMs: 20, cacheControl });
  const opened: SseStream[] = [];
  let ended = 0;
  app.get('/stream', (_request, reply) => {
    const stream = streams.open(reply);
    stream.onEnd(() => ended++);
    opened.push(stream);
    stream.comment('hello\nworld');
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, streams, opened, ended: () => ended };
}

/** Reads the response's text until `done` says it has enough. */
async function readUntil(response: Response, done: (text: string) => boolean): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!done(text)) {
    const { value, done: finished } = await reader.read();
    if (finished) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text;
}

describe('sseStreams', () => {
  it('sends the event-stream headers, comments on one line, events as JSON data, and heartbeats', async () => {
    const server = await serve('no-store, no-transform');
    const response = await fetch(`${server.url}/stream`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(await readUntil(response, (text) => text.includes('\n\n'))).toMatch(/^: hello world\n\n/);
    server.opened[0].event('jobs', [{ id: 1, note: 'a\nb' }]);
    const text = await readUntil(response, (seen) => seen.includes('event: jobs') && /: heartbeat\n\n/.test(seen));
    expect(text).toContain('event: jobs\ndata: [{"id":1,"note":"a\\nb"}]\n\n');
    expect(server.streams.count()).toBe(1);
    await response.body!.cancel();
  });

  it('ends a stream once when its client goes away, and every open one when the server closes', async () => {
    const server = await serve('no-cache, no-transform');
    // The first client is gone when its socket is (fetch would keep it pooled for seconds).
    const first = await new Promise<ClientRequest>((resolve) => {
      const request = get(`${server.url}/stream`, () => resolve(request));
    });
    const second = await fetch(`${server.url}/stream`);
    await waitUntil(() => server.streams.count() === 2, { what: 'two open streams' });
    first.destroy();
    await waitUntil(() => server.ended() === 1, { what: 'the first stream ended', detail: () => `${server.ended()} ended` });
    expect(server.streams.count()).toBe(1);
    const rest = readUntil(second, () => false);
    await app!.close();
    app = undefined;
    expect(server.ended()).toBe(2);
    expect(server.streams.count()).toBe(0);
    // The closed server ended the second response: reading it finishes.
    expect(await rest).toMatch(/^: hello world\n\n/);
  });
});
