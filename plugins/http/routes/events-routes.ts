import type { FastifyInstance } from 'fastify';
import { type JobEvent, type Kernel, MAX_JOB_ID } from 'remotetask';
import type { JobEventJson } from 'remotetask/client';
import { addressParamsSchema, errorResponses } from '../schemas/api-schemas.js';
import type { SseStreams } from '../sse/sse-streams.js';
import type { AddressParams } from './route-types.js';
import { isoTime } from './to-job-json.js';

export function toJobEventJson(event: JobEvent): JobEventJson {
  return { ...event, time: isoTime(event.time) };
}

/**
 * `GET /api/services/{address}/events`: the service's job events as Server-Sent Events (event name =
 * type, data = JSON), optionally of one job (`?job=<id>`). The subscription exists before the
 * response headers go out, so a client that has its response misses nothing that happens after.
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
    const stream = streams.open(reply);
    stream.onEnd(
      kernel.events.on((event) => {
        if (event.service !== service.address || (jobId !== undefined && event.jobId !== jobId)) return;
        stream.event(event.type, toJobEventJson(event));
      }),
    );
    stream.comment(`events of ${service.address}${jobId === undefined ? '' : `, job ${jobId}`}`);
  });
}
