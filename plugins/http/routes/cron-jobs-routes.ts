import type { Schedule } from 'remotetask';
import type { JobCreatedJson, ScheduleJson } from 'remotetask/client';
import { addCronJobBodySchema, addressParamsSchema, errorResponses, jobCreatedSchema } from '../schemas/api-schemas.js';
import { type AddressParams, jobUrl, type RegisterRoutes } from './route-types.js';

/** `POST /api/services/{address}/cronjobs`: a cron job (field lists or a cron expression) or a delayed job. */
export const registerCronJobsRoutes: RegisterRoutes = (app) => {
  app.post<{ Params: AddressParams; Body: { task: string; input?: unknown; priority?: number } & ScheduleJson }>(
    '/cronjobs',
    {
      schema: {
        tags: ['cron jobs'],
        operationId: 'addCronJob',
        summary: 'Add a cron job (minute/hour/dayOfMonth/month/dayOfWeek lists, or cron + tz) or a delayed job (delay)',
        params: addressParamsSchema,
        body: addCronJobBodySchema,
        response: { 201: jobCreatedSchema, ...errorResponses },
      },
    },
    async (request, reply): Promise<JobCreatedJson> => {
      const service = request.service;
      const { task, input = null, priority, ...schedule } = request.body;
      const id = await service.addCronJob(task, input, schedule as Schedule, { priority });
      reply.code(201).header('location', jobUrl(service.address, id));
      return { id, status: (await service.getJob(id)).status };
    },
  );
};
