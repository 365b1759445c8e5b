import type { FastifyInstance } from 'fastify';
import { type DashboardContext, formField } from '../dashboard-context.js';

/** `POST /services/{address}/pause`: pause or resume the service for every process, back to the page it came from. */
export function registerPauseRoutes(app: FastifyInstance, dashboard: DashboardContext): void {
  app.post('/pause', async (request, reply) => {
    const { service } = request;
    const action = formField(request, 'action');
    if (action === 'pause') {
      await service.pauseEverywhere();
      dashboard.flash(request, `${service.address} paused for every process: running jobs finish, none is claimed.`);
    } else if (action === 'resume') {
      await service.resumeEverywhere();
      dashboard.flash(request, `${service.address} resumed for every process.`);
    } else {
      dashboard.flash(request, `"${action}" is neither pause nor resume.`, 'error');
    }
    return dashboard.back(request, reply, '/workers');
  });
}
