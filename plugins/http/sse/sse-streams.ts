import type { FastifyInstance, FastifyReply } from 'fastify';
import { formatSseComment, formatSseEvent } from './format-sse-event.js';

export interface SseStreamsOptions {
  /** How often a comment line keeps an idle stream alive (ms). */
  heartbeatMs: number;
  /** The streams' cache-control header. */
  cacheControl: string;
}

/** One open Server-Sent Events stream. */
export interface SseStream {
  /** Sends an event; with an id, a client that reconnects names it in `Last-Event-ID`. */
  event(name: string, data: unknown, id?: string): void;
  comment(text: string): void;
  /** Runs once, when the stream ends: its client went away or the server is closing. */
  onEnd(cleanup: () => void): void;
}

export interface SseStreams {
  /** Takes the reply over and sends the stream's headers (with its first write). */
  open(reply: FastifyReply): SseStream;
  /** How many streams are open now. */
  count(): number;
}

/**
 * The event streams of one fastify context, for the API and the dashboard alike: each is a
 * hijacked response with a heartbeat, ended when its client goes away. A stream never ends by
 * itself, so all of them are ended when the server closes, or close() would wait forever.
 */
export function sseStreams(app: FastifyInstance, options: SseStreamsOptions): SseStreams {
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });
  return {
    count: () => open.size,
    open(reply) {
      reply.hijack();
      const response = reply.raw;
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': options.cacheControl,
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const cleanups: Array<() => void> = [];
      const heartbeat = setInterval(() => response.write(formatSseComment('heartbeat')), options.heartbeatMs);
      const end = () => {
        if (!open.delete(end)) return;
        clearInterval(heartbeat);
        for (const cleanup of cleanups) cleanup();
        response.end();
      };
      open.add(end);
      // The response closes when the client goes away (the request's own close fires as soon as it is read).
      response.on('close', end);
      return {
        event: (name, data, id) => void response.write(formatSseEvent(name, data, id)),
        comment: (text) => void response.write(formatSseComment(text)),
        onEnd: (cleanup) => void cleanups.push(cleanup),
      };
    },
  };
}
