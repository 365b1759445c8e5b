import type { JobJson } from 'remotetask/client';
import { errorResponses, jobParamsSchema, jobSchema, prioritySchema } from '../schemas/api-schemas.js';
import type { JobParams, RegisterRoutes } from './route-types.js';
import { toJobJson } from './to-job-json.js';

/** `PUT /api/services/{address}/jobs/{id}/priority`: a waiting job's new priority. */
export const registerPriorityRoutes: RegisterRoutes = (app) => {
  app.put<{ Params: JobParams; Body: { priority: number } }>('/jobs/:id/priority', {
    schema: {
      tags: ['jobs'],
      operationId: 'setJobPriority',
      summary: 'Change the priority of a job that waits (queued, start later, delayed, or a cron job not running)',
      params: jobParamsSchema,
      body: {
        type: 'object',
        required: ['priority'],
        additionalProperties: false,
        properties: { priority: prioritySchema },
      },
      response: { 200: jobSchema, ...errorResponses },
    },
  }, async (request): Promise<JobJson> => toJobJson(await request.service.setPriority(request.params.id, request.body.priority)));
};
