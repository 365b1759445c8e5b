import type { KeyOptions, Schedule } from 'remotetask';
import type { JobCreatedJson, ScheduleJson } from 'remotetask/client';
import { addCronJobBodySchema, addressParamsSchema, errorResponses, jobCreatedSchema } from '../schemas/api-schemas.js';
import { keyedAnswer } from './keyed-answer.js';
import { type AddressParams, jobUrl, type RegisterRoutes } from './route-types.js';

/** `POST /api/services/{address}/cronjobs`: a cron job (field lists or a cron expression) or a delayed job. */
export const registerCronJobsRoutes: RegisterRoutes = (app) => {
  app.post<{ Params: AddressParams; Body: { task: string; input?: unknown; priority?: number } & KeyOptions & ScheduleJson }>(
    '/cronjobs',
    {
      schema: {
        tags: ['cron jobs'],
        operationId: 'addCronJob',
        summary: 'Add a cron job (minute/hour/dayOfMonth/month/dayOfWeek lists, or cron + tz) or a delayed job (delay)',
        params: addressParamsSchema,
        body: addCronJobBodySchema,
        response: { 201: jobCreatedSchema, 200: jobCreatedSchema, ...errorResponses },
      },
    },
    async (request, reply): Promise<JobCreatedJson> => {
      const service = request.service;
      const { task, input = null, priority, key, keyScope, keyPeriod, onKeyTaken, ...schedule } = request.body;
      const { job, outcome } = await service.addCronJobOrFind(task, input, schedule as Schedule, { priority, key, keyScope, keyPeriod, onKeyTaken });
      reply.code(outcome === 'created' ? 201 : 200).header('location', jobUrl(service.address, job.id));
      return keyedAnswer(job, outcome);
    },
  );
};
