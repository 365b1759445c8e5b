import type { FastifyInstance } from 'fastify';
import type { TaskService } from 'remotetask';
import { type DashboardContext, formField } from '../dashboard-context.js';
import { overviewPage, overviewSites, type ServiceSummary, type SiteSummary } from '../views/overview-view.js';

async function summarize(dashboard: DashboardContext, service: TaskService): Promise<ServiceSummary> {
  const [counts, throughput] = await Promise.all([service.jobs.countByStatus(), dashboard.throughput.series(service.address)]);
  return {
    service,
    counts,
    tasks: service.taskNames().map((name) => ({ name, description: service.getTask(name)?.description })),
    throughput,
  };
}

/** `/`: the sites and their services. */
export function registerOverviewRoutes(app: FastifyInstance, dashboard: DashboardContext): void {
  const { kernel } = dashboard;

  app.get('/', async (request, reply) => {
    const sites: SiteSummary[] = [];
    for (const site of kernel.sites()) {
      const services = await Promise.all(kernel.servicesOf(site).map((service) => summarize(dashboard, service)));
      sites.push({ name: site.name, services });
    }
    const ctx = dashboard.view(request);
    return dashboard.send(reply, request.headers['hx-request'] === 'true' ? overviewSites(ctx, sites) : overviewPage(ctx, sites));
  });
}
