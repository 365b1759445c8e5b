import type { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../schemas/api-schemas.js';

/** `GET /metrics`: the server's metrics in Prometheus' text format. Needs a user when users are configured. */
export function registerMetricsRoutes(app: FastifyInstance, registry: Registry): void {
  app.get('/metrics', {
    schema: {
      tags: ['operations'],
      operationId: 'getMetrics',
      summary: 'Prometheus metrics (text format)',
      response: {
        200: { description: 'Prometheus text exposition format', content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } } },
        ...errorResponses,
      },
    },
  }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}
