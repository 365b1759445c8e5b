import type { FastifyInstance } from 'fastify';
import { type DashboardContext, formField } from '../dashboard-context.js';
import { workersPage, workersTable } from '../views/workers-view.js';
import { type WorkersSection, WorkersSections } from '../workers-sections.js';

/** `/workers`: the registry of processes (the table alone for htmx's refresh); `POST /workers/drain` drains one. */
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

  // The process id travels in the form, not the path: ids hold colons and host names.
  app.post('/workers/drain', async (request, reply) => {
    const id = formField(request, 'worker');
    const action = formField(request, 'action');
    if (action !== 'drain' && action !== 'undrain') {
      dashboard.flash(request, `"${action}" is neither drain nor undrain.`, 'error');
    } else if (!(await dashboard.kernel.store.setProcessDraining(id, action === 'drain'))) {
      dashboard.flash(request, `No process "${id}" is registered: it stopped, or the page is old.`, 'error');
    } else {
      dashboard.flash(request, action === 'drain'
        ? `Process ${id} drains: it finishes the jobs it runs and claims none. Stop it once it shows drained.`
        : `Process ${id} claims jobs again.`);
    }
    return dashboard.back(request, reply, '/workers');
  });
}
