import type { FastifyInstance } from 'fastify';
import { type JobEvent, type Kernel, MAX_JOB_ID } from 'remotetask';
import type { JobEventJson } from 'remotetask/client';
import { addressParamsSchema, errorResponses } from '../schemas/api-schemas.js';
import { formatSseComment, formatSseEvent } from '../sse/format-sse-event.js';
import type { AddressParams } from './route-types.js';
import { isoTime } from './to-job-json.js';

export function toJobEventJson(event: JobEvent): JobEventJson {
  return { ...event, time: isoTime(event.time) };
}

export interface EventsRoutesOptions {
  /** How often a comment line keeps an idle stream alive (ms). */
  heartbeatMs: number;
}

/**
 * `GET /api/services/{address}/events`: the service's job events as Server-Sent Events (event name =
 * type, data = JSON), optionally of one job (`?job=<id>`). The subscription exists before the
 * response headers go out, so a client that has its response misses nothing that happens after.
 */
export function registerEventsRoutes(app: FastifyInstance, kernel: Kernel, options: EventsRoutesOptions): { openStreams(): number } {
  const openStreams = new Set<() => void>();
  // Streams never end by themselves: end them when the server shuts down, or close() would wait forever.
  app.addHook('preClose', async () => {
    for (const end of [...openStreams]) end();
  });

  app.get<{ Params: AddressParams; Querystring: { job?: number } }>('/api/services/:address/events', {
    schema: {
      tags: ['events'],
      summary: 'Job events as Server-Sent Events (text/event-stream): added, started, progress, completed, failed, retrying, cancelled',
      params: addressParamsSchema,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { job: { type: 'integer', minimum: 1, maximum: MAX_JOB_ID, description: 'only this job\'s events' } },
      },
      response: { 200: { description: 'a text/event-stream; heartbeat comments keep it open', type: 'string' }, ...errorResponses },
    },
  }, (request, reply) => {
    const service = kernel.getService(request.params.address);
    const jobId = request.query.job;
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const unsubscribe = kernel.events.on((event) => {
      if (event.service !== service.address || (jobId !== undefined && event.jobId !== jobId)) return;
      response.write(formatSseEvent(event.type, toJobEventJson(event)));
    });
    const heartbeat = setInterval(() => response.write(formatSseComment('heartbeat')), options.heartbeatMs);
    const end = () => {
      if (!openStreams.delete(end)) return;
      clearInterval(heartbeat);
      unsubscribe();
      response.end();
    };
    openStreams.add(end);
    // The response closes when the client goes away (the request's own close fires as soon as it is read).
    response.on('close', end);
    response.write(formatSseComment(`events of ${service.address}${jobId === undefined ? '' : `, job ${jobId}`}`));
  });
  return { openStreams: () => openStreams.size };
}
