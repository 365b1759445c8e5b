import type { FastifyInstance } from 'fastify';
import type { TaskService } from 'remotetask';
import { type DashboardContext, formField } from '../dashboard-context.js';
import { overviewPage, overviewSites, type ServiceSummary, type SiteSummary } from '../views/overview-view.js';

interface AddressParams {
  address: string;
}

async function summarize(dashboard: DashboardContext, service: TaskService): Promise<ServiceSummary> {
  return {
    service,
    counts: await service.jobs.countByStatus(),
    tasks: service.taskNames().map((name) => ({ name, description: service.getTask(name)?.description })),
    throughput: dashboard.throughput.series(service.address),
  };
}

/** `/`: the sites and their services; `POST /services/{address}/processing`: start or stop one. */
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

  app.post<{ Params: AddressParams }>('/services/:address/processing', async (request, reply) => {
    const service = kernel.getService(request.params.address);
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
