import type { FastifyInstance } from 'fastify';
import { InvalidCursorError, JOB_STATUSES, type JobQuery, type JobRecord, type JobStatus, UnknownJobError } from 'remotetask';
import { DashboardError } from '../dashboard-error.js';
import { type DashboardContext, formFields } from '../dashboard-context.js';
import { jobsFragment, jobsPage } from '../views/jobs-view.js';
import { DEFAULT_LIMIT, DEFAULT_SORT, jobsUrl, type JobsQuery, PAGE_SIZES, parseTrail } from '../views/urls.js';

interface AddressParams {
  address: string;
}

type RawQuery = Record<string, string | undefined>;

const SORT_KEYS = ['id', 'created', 'started', 'completed', 'status', 'task'];
/** At most this many rows are fetched by id at once (live updates batch their ids). */
const MAX_IDS = 200;

export function parseId(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  // Plain digits only, as the API reads ids: `0x10` or `1e3` is a typo, not job 16 or 1000.
  const digits = text.trim().replace(/^#/, '');
  const id = /^[0-9]{1,16}$/.test(digits) ? Number(digits) : Number.NaN;
  if (!Number.isSafeInteger(id) || id < 1) throw new DashboardError(400, `"${text}" is not a job id: ids are whole numbers from 1`);
  return id;
}

/** The jobs table's view from the URL: unknown sort keys and page sizes fall back to the defaults. */
export function parseJobsQuery(raw: RawQuery): JobsQuery {
  const status = raw.status || undefined;
  if (status !== undefined && !(JOB_STATUSES as readonly string[]).includes(status)) {
    throw new DashboardError(400, `"${status}" is not a job status; statuses are ${JOB_STATUSES.join(', ')}`);
  }
  const sortKey = (raw.sort ?? '').replace(/^-/, '');
  const limit = Number(raw.limit);
  return {
    status: status as JobStatus | undefined,
    task: raw.task || undefined,
    id: parseId(raw.id),
    sort: SORT_KEYS.includes(sortKey) ? raw.sort! : DEFAULT_SORT,
    limit: PAGE_SIZES.includes(limit) ? limit : DEFAULT_LIMIT,
    cursor: raw.cursor || undefined,
    trail: parseTrail(raw.trail),
  };
}

/**
 * The jobs table (`/services/{address}/jobs`), the rows live updates fetch (`…/rows?ids=`), and
 * the table's actions: cancel the selected jobs, cancel all, remove the finished ones.
 */
export function registerJobsRoutes(app: FastifyInstance, dashboard: DashboardContext): void {
  app.get<{ Params: AddressParams; Querystring: RawQuery }>('/jobs', async (request, reply) => {
    const { service } = request;
    const query = parseJobsQuery(request.query);
    const counts = await service.jobs.countByStatus();
    let jobs: JobRecord[] = [];
    let nextCursor: string | null = null;
    let notFound: number | undefined;
    if (query.id !== undefined) {
      try {
        jobs = [await service.getJob(query.id)];
      } catch (error) {
        if (!(error instanceof UnknownJobError)) throw error;
        notFound = query.id;
      }
    } else {
      try {
        const page = await service.jobs.page({
          status: query.status ? [query.status] : undefined,
          task: query.task,
          limit: query.limit,
          cursor: query.cursor,
          sort: query.sort as JobQuery['sort'],
        });
        jobs = page.jobs;
        nextCursor = page.nextCursor;
      } catch (error) {
        if (error instanceof InvalidCursorError) {
          throw new DashboardError(400, `This page link is out of date (${error.message}); start again from the first page.`);
        }
        throw error;
      }
    }
    const data = { service, taskNames: service.taskNames(), counts, query, jobs, nextCursor, notFound };
    return dashboard.send(reply, jobsPage(dashboard.view(request), data, dashboard.renderers));
  });

  app.get<{ Params: AddressParams; Querystring: RawQuery }>('/rows', async (request, reply) => {
    const { service } = request;
    const query = parseJobsQuery({ ...request.query, id: undefined });
    const ids = (request.query.ids ?? '').split(',').filter(Boolean).slice(0, MAX_IDS).map((text) => parseId(text)!);
    const jobs: JobRecord[] = [];
    for (const id of ids) {
      try {
        jobs.push(await service.getJob(id));
      } catch (error) {
        // Removed meanwhile (clean): the row simply is not sent back.
        if (!(error instanceof UnknownJobError)) throw error;
      }
    }
    const counts = await service.jobs.countByStatus();
    return dashboard.send(reply, jobsFragment(dashboard.view(request), { service, counts, query, jobs }, dashboard.renderers));
  });

  app.post<{ Params: AddressParams }>('/cancel', async (request, reply) => {
    const { service } = request;
    const ids = formFields(request, 'ids');
    if (ids.length === 0) {
      dashboard.flash(request, 'No jobs were selected.', 'error');
    } else {
      for (const text of ids) {
        const id = parseId(text)!;
        try {
          await service.cancel(id);
        } catch (error) {
          if (!(error instanceof UnknownJobError)) throw error;
        }
      }
      dashboard.flash(request, 'Jobs were successfully cancelled.');
    }
    return dashboard.back(request, reply, jobsUrl(service.address));
  });

  app.post<{ Params: AddressParams }>('/cancel-all', async (request, reply) => {
    const { service } = request;
    await service.cancelAll();
    dashboard.flash(request, 'All jobs cancelled');
    return dashboard.back(request, reply, jobsUrl(service.address));
  });

  app.post<{ Params: AddressParams }>('/clean', async (request, reply) => {
    const { service } = request;
    const removed = await service.clean();
    dashboard.flash(request, `Cleaned ${removed} Jobs`);
    return dashboard.back(request, reply, jobsUrl(service.address));
  });
}
