import type { FastifyInstance } from 'fastify';
import { EVENT_WINDOW_SIZE, type JobEvent, type Kernel, MAX_JOB_ID } from 'remotetask';
import type { JobEventJson } from 'remotetask/client';
import { addressParamsSchema, errorResponses } from '../schemas/api-schemas.js';
import type { SseStreams } from '../sse/sse-streams.js';
import type { AddressParams } from './route-types.js';
import { isoTime } from './to-job-json.js';

export function toJobEventJson(event: JobEvent): JobEventJson {
  return { ...event, time: isoTime(event.time) };
}

/** The `resync` event: what a stream missed is not known, the client reads the jobs again. */
export const RESYNC_EVENT = 'resync';

/**
 * `GET /api/services/{address}/events`: the service's job events as Server-Sent Events (event name =
 * type, data = JSON, id = the event's place in this server's stream), optionally of one job
 * (`?job=<id>`). The subscription exists before the response headers go out, so a client that has
 * its response misses nothing that happens after. A client that reconnects with `Last-Event-ID` gets
 * the events it missed while the server still holds them (the last EVENT_WINDOW_SIZE of the
 * process), else one `resync` event; `resync` also comes when the server may have lost events of
 * other processes (its LISTEN connection dropped).
 */
export function registerEventsRoutes(app: FastifyInstance, kernel: Kernel, streams: SseStreams): void {
  app.get<{ Params: AddressParams; Querystring: { job?: number } }>('/events', {
    schema: {
      tags: ['events'],
      operationId: 'streamJobEvents',
      summary: 'Job events as Server-Sent Events (text/event-stream): added, started, progress, completed, failed, retrying, cancelled',
      params: addressParamsSchema,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { job: { type: 'integer', minimum: 1, maximum: MAX_JOB_ID, description: 'only this job\'s events' } },
      },
      response: {
        200: { description: 'a text/event-stream; heartbeat comments keep it open', content: { 'text/event-stream': { schema: { type: 'string' } } } },
        ...errorResponses,
      },
    },
  }, (request, reply) => {
    const { service } = request;
    const jobId = request.query.job;
    const lastEventId = request.headers['last-event-id'];
    const wanted = (event: JobEvent) => event.service === service.address && (jobId === undefined || event.jobId === jobId);
    const stream = streams.open(reply);
    // Subscribing and replaying happen in one turn: no event falls between them, none comes twice.
    stream.onEnd(
      kernel.events.on((event, id) => {
        if (wanted(event)) stream.event(event.type, toJobEventJson(event), id);
      }),
    );
    stream.onEnd(kernel.events.onResync(() => stream.event(RESYNC_EVENT, { reason: 'events of other processes may have been lost' })));
    stream.comment(`events of ${service.address}${jobId === undefined ? '' : `, job ${jobId}`}`);
    if (typeof lastEventId !== 'string' || lastEventId === '') return;
    const missed = kernel.events.since(lastEventId);
    if (!missed) {
      stream.event(RESYNC_EVENT, { reason: `event ${lastEventId} is not among the last ${EVENT_WINDOW_SIZE} events this server holds` });
      return;
    }
    for (const { id, event } of missed) if (wanted(event)) stream.event(event.type, toJobEventJson(event), id);
  });
}
