import { FINAL_STATUSES, type KeyOptions, type Schedule } from 'remotetask';
import type { JobCreatedJson, JobListQuery, JobPageJson, ScheduleJson } from 'remotetask/client';
import { HttpError } from '../errors/http-error.js';
import {
  addJobBodySchema,
  addressParamsSchema,
  errorResponses,
  jobCreatedSchema,
  jobParamsSchema,
  jobPageSchema,
  jobSchema,
  scheduleBodySchema,
} from '../schemas/api-schemas.js';
import { parseStatusList } from './parse-status-list.js';
import { type AddressParams, type JobParams, jobUrl, type RegisterRoutes } from './route-types.js';
import { keyedAnswer } from './keyed-answer.js';
import { toJobJson } from './to-job-json.js';

const SORT_KEYS = ['id', 'created', 'started', 'completed', 'status', 'task'];

const statusQuery = {
  type: 'array',
  items: { type: 'string' },
  description: 'filter by status; repeat it or separate statuses by commas',
} as const;

const idAndStatus = {
  200: jobCreatedSchema,
  ...errorResponses,
} as const;

/** The routes of one service's plain jobs: add, list, read, cancel, start, reschedule, clean. */
export const registerJobsRoutes: RegisterRoutes = (app) => {
  app.post<{ Params: AddressParams; Body: { task: string; input?: unknown; startLater?: boolean; timeout?: number; priority?: number; queue?: string } & KeyOptions }>(
    '/jobs',
    {
      schema: {
        tags: ['jobs'],
        operationId: 'addJob',
        summary: 'Add a job (queued at once, or in "start later")',
        params: addressParamsSchema,
        body: addJobBodySchema,
        response: { 201: jobCreatedSchema, 200: jobCreatedSchema, ...errorResponses },
      },
    },
    async (request, reply): Promise<JobCreatedJson> => {
      const { service } = request;
      const { task, input = null, startLater = false, ...options } = request.body;
      const { job, outcome } = await service.addOrFind(task, input, { startLater, ...options });
      // 201 for a new job; 200 with the job that holds the key.
      reply.code(outcome === 'created' ? 201 : 200).header('location', jobUrl(service.address, job.id));
      // The status it was stored with: a processor may take it any moment now.
      return keyedAnswer(job, outcome);
    },
  );

  app.get<{ Params: AddressParams; Querystring: Omit<JobListQuery, 'status'> & { status?: string[] } }>(
    '/jobs',
    {
      schema: {
        tags: ['jobs'],
        operationId: 'listJobs',
        summary: 'A page of the service\'s jobs',
        params: addressParamsSchema,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: statusQuery,
            task: { type: 'string' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
            cursor: { type: 'string', description: 'nextCursor of the previous page' },
            sort: { type: 'string', enum: [...SORT_KEYS, ...SORT_KEYS.map((key) => `-${key}`)], default: 'id' },
          },
        },
        response: { 200: jobPageSchema, ...errorResponses },
      },
    },
    async (request): Promise<JobPageJson> => {
      const service = request.service;
      const { status, ...rest } = request.query;
      // A cursor the store did not make throws InvalidCursorError: the error table answers it (400 invalid_cursor).
      const page = await service.jobs.page({ ...rest, status: parseStatusList(status) });
      return { jobs: page.jobs.map(toJobJson), nextCursor: page.nextCursor };
    },
  );

  app.get<{ Params: JobParams }>('/jobs/:id', {
    schema: {
      tags: ['jobs'],
      operationId: 'getJob',
      summary: 'One job: status, input, result, error, attempts, times, progress, schedule',
      params: jobParamsSchema,
      response: { 200: jobSchema, ...errorResponses },
    },
  }, async (request) => {
    const job = toJobJson(await request.service.getJob(request.params.id));
    return { ...job, heldBy: job.queue || job.limit ? await request.service.heldBy(request.params.id) : null };
  }),

  app.post<{ Params: JobParams }>('/jobs/:id/cancel', {
    schema: {
      tags: ['jobs'],
      operationId: 'cancelJob',
      summary: 'Cancel a job (a running one is asked to stop and ends cancelled)',
      params: jobParamsSchema,
      response: idAndStatus,
    },
  }, async (request): Promise<JobCreatedJson> => {
    const { id } = request.params;
    return { id, status: await request.service.cancel(id) };
  });

  app.post<{ Params: JobParams }>('/jobs/:id/start', {
    schema: {
      tags: ['jobs'],
      operationId: 'startJob',
      summary: 'Start a job added with startLater',
      params: jobParamsSchema,
      response: idAndStatus,
    },
  }, async (request): Promise<JobCreatedJson> => {
    const service = request.service;
    await service.startJob(request.params.id);
    return { id: request.params.id, status: (await service.getJob(request.params.id)).status };
  });

  app.patch<{ Params: JobParams; Body: ScheduleJson }>('/jobs/:id', {
    schema: {
      tags: ['cron jobs'],
      operationId: 'rescheduleJob',
      summary: 'Replace a cron or delayed job\'s schedule; the job is rescheduled',
      params: jobParamsSchema,
      body: scheduleBodySchema,
      response: { 200: jobSchema, ...errorResponses },
    },
  }, async (request) => {
    const service = request.service;
    await service.updateCronJob(request.params.id, request.body as Schedule);
    return toJobJson(await service.getJob(request.params.id));
  });

  app.post<{ Params: AddressParams }>('/jobs/cancel-all', {
    schema: {
      tags: ['jobs'],
      operationId: 'cancelAllJobs',
      summary: 'Cancel every waiting job and ask every running one to stop',
      params: addressParamsSchema,
      response: { 200: { type: 'object', properties: { cancelled: { type: 'integer' } } }, ...errorResponses },
    },
  }, async (request) => ({ cancelled: await request.service.cancelAll() }));

  app.delete<{ Params: AddressParams; Querystring: { status?: string[] } }>('/jobs', {
    schema: {
      tags: ['jobs'],
      operationId: 'cleanJobs',
      summary: 'Remove finished jobs (cancelled, error, completed by default)',
      params: addressParamsSchema,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { status: statusQuery },
      },
      response: { 200: { type: 'object', properties: { removed: { type: 'integer' } } }, ...errorResponses },
    },
  }, async (request) => {
    const service = request.service;
    const statuses = parseStatusList(request.query.status) ?? FINAL_STATUSES;
    const notFinal = statuses.filter((status) => !FINAL_STATUSES.includes(status));
    if (notFinal.length > 0) {
      throw new HttpError(
        400,
        'bad_request',
        `clean removes only finished jobs (${FINAL_STATUSES.join(', ')}); not ${notFinal.map((status) => `"${status}"`).join(', ')}`,
      );
    }
    return { removed: await service.clean(statuses) };
  });
};
