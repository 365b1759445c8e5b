import type { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';

/** `GET /metrics`: the server's metrics in Prometheus' text format. Needs a user when users are configured. */
export function registerMetricsRoutes(app: FastifyInstance, registry: Registry): void {
  app.get('/metrics', {
    schema: {
      tags: ['operations'],
      summary: 'Prometheus metrics (text format)',
      response: { 200: { type: 'string', description: 'Prometheus text exposition format' } },
    },
  }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}
