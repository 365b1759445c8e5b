import type { FastifyInstance } from 'fastify';
import { type DashboardContext, formField } from '../dashboard-context.js';

/** `POST /services/{address}/processing`: start or stop the service's processing, back to the page it came from. */
export function registerProcessingRoutes(app: FastifyInstance, dashboard: DashboardContext): void {
  app.post('/processing', async (request, reply) => {
    const { service } = request;
    const action = formField(request, 'action');
    if (action === 'start') {
      service.startProcessing();
      dashboard.flash(request, `Processing of ${service.address} started.`);
    } else if (action === 'stop') {
      await service.stopProcessing();
      dashboard.flash(request, `Processing of ${service.address} stopped.`);
    } else {
      dashboard.flash(request, `"${action}" is neither start nor stop.`, 'error');
    }
    return dashboard.back(request, reply, '/');
  });
}
