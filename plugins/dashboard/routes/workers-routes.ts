import type { FastifyInstance } from 'fastify';
import type { DashboardContext } from '../dashboard-context.js';
import { workersPage, workersTable } from '../views/workers-view.js';

/** `/workers`: the registry of processes (the table alone for htmx's refresh). */
export function registerWorkersRoutes(app: FastifyInstance, dashboard: DashboardContext): void {
  app.get('/workers', async (request, reply) => {
    const ctx = dashboard.view(request);
    const processes = await dashboard.kernel.store.listProcesses(ctx.now);
    return dashboard.send(reply, request.headers['hx-request'] === 'true' ? workersTable(ctx, processes) : workersPage(ctx, processes));
  });
}
