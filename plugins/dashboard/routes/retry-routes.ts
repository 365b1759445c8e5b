import type { FastifyInstance } from 'fastify';
import { JobStateError, UnknownJobError } from 'remotetask';
import { type DashboardContext, formFields } from '../dashboard-context.js';
import { jobsUrl, jobUrl } from '../views/urls.js';
import { type AddressParams, type JobParams, jobParams } from './job-routes.js';
import { parseId } from './jobs-routes.js';

const jobs = (count: number) => `${count} job${count === 1 ? '' : 's'}`;

/** Retry from the dashboard: one job from its page, the selected jobs and all failed ones from the table. */
export function registerRetryRoutes(app: FastifyInstance, dashboard: DashboardContext): void {
  app.post<{ Params: JobParams }>('/jobs/:id/retry', { schema: jobParams }, async (request, reply) => {
    const { service } = request;
    const status = await service.retry(request.params.id);
    dashboard.flash(request, `Job ${request.params.id} is ${status} again.`);
    return dashboard.back(request, reply, jobUrl(service.address, request.params.id));
  });

  app.post<{ Params: AddressParams }>('/retry', async (request, reply) => {
    const { service } = request;
    const ids = formFields(request, 'ids').map((text) => parseId(text)!);
    if (ids.length === 0) {
      dashboard.flash(request, 'No jobs were selected.', 'error');
      return dashboard.back(request, reply, jobsUrl(service.address));
    }
    let skipped = 0;
    for (const id of ids) {
      try {
        await service.retry(id);
      } catch (error) {
        // Removed meanwhile, or not failed nor cancelled: the others are still retried.
        if (!(error instanceof UnknownJobError) && !(error instanceof JobStateError)) throw error;
        skipped += 1;
      }
    }
    dashboard.flash(
      request,
      skipped === 0
        ? 'Jobs were successfully retried.'
        : `${jobs(ids.length - skipped)} retried; ${jobs(skipped)} not, as only failed or cancelled jobs can be retried.`,
    );
    return dashboard.back(request, reply, jobsUrl(service.address));
  });

  app.post<{ Params: AddressParams }>('/retry-all-failed', async (request, reply) => {
    const { service } = request;
    const retried = await service.retryAll({ status: ['error'] });
    dashboard.flash(request, `Retried ${retried} failed Jobs`);
    return dashboard.back(request, reply, jobsUrl(service.address));
  });
}
