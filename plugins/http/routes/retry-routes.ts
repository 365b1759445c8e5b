import { RETRYABLE_STATUSES, type RetryableStatus } from 'remotetask';
import type { JobCreatedJson } from 'remotetask/client';
import { addressParamsSchema, errorResponses, jobCreatedSchema, jobParamsSchema } from '../schemas/api-schemas.js';
import type { AddressParams, JobParams, RegisterRoutes } from './route-types.js';

const retryAllBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: {
      type: 'array',
      items: { type: 'string', enum: [...RETRYABLE_STATUSES] },
      maxItems: RETRYABLE_STATUSES.length,
      description: 'retry jobs in these statuses; default ["error"]',
    },
    task: { type: 'string', maxLength: 200, description: 'only jobs of this task' },
  },
} as const;

/** The routes that put failed and cancelled jobs back in the queue. */
export const registerRetryRoutes: RegisterRoutes = (app) => {
  app.post<{ Params: JobParams }>('/jobs/:id/retry', {
    schema: {
      tags: ['jobs'],
      operationId: 'retryJob',
      summary: 'Put a failed (error) or cancelled job back in the queue, its attempts counted afresh',
      params: jobParamsSchema,
      response: { 200: jobCreatedSchema, ...errorResponses },
    },
  }, async (request): Promise<JobCreatedJson> => {
    const { id } = request.params;
    return { id, status: await request.service.retry(id) };
  });

  app.post<{ Params: AddressParams; Body: { status?: RetryableStatus[]; task?: string } }>('/jobs/retry-all', {
    schema: {
      tags: ['jobs'],
      operationId: 'retryAllJobs',
      summary: 'Retry every failed job of the service (or those in the given statuses, of the given task); `{}` for the defaults',
      params: addressParamsSchema,
      body: retryAllBodySchema,
      response: { 200: { type: 'object', properties: { retried: { type: 'integer' } } }, ...errorResponses },
    },
  }, async (request) => ({ retried: await request.service.retryAll(request.body) }));
};
