import type { FastifyInstance } from 'fastify';
import type { DashboardContext } from '../dashboard-context.js';
import { workersPage, workersTable } from '../views/workers-view.js';
import { type WorkersSection, WorkersSections } from '../workers-sections.js';

/** `/workers`: the registry of processes (the table alone for htmx's refresh). */
export function registerWorkersRoutes(app: FastifyInstance, dashboard: DashboardContext): void {
  app.get('/workers', async (request, reply) => {
    const ctx = dashboard.view(request);
    const { store } = dashboard.kernel;
    const [processes, paused] = await Promise.all([store.listProcesses(ctx.now), store.pausedServices()]);
    const services = dashboard.kernel.services().map((service) => ({
      address: service.address,
      pausedSince: paused.find((entry) => entry.service === service.address)?.since ?? null,
    }));
    // Plugins' sections (the agents), refreshed with the table.
    const sections = await Promise.all(dashboard.kernel.contributions<WorkersSection>(WorkersSections).map((section) => section.render(ctx)));
    return dashboard.send(reply, request.headers['hx-request'] === 'true' ? workersTable(ctx, processes, sections) : workersPage(ctx, processes, services, sections));
  });
}
