import type { BatchAddedJson, BatchJobJson, BatchJson, DependenciesJson, FlowAddedJson, FlowJobJson } from 'remotetask/client';
import { HttpError } from '../errors/http-error.js';
import { addressParamsSchema, errorResponses, jobParamsSchema } from '../schemas/api-schemas.js';
import { addBatchBodySchema, addFlowBodySchema, batchAddedSchema, batchParamsSchema, batchSchema, dependenciesSchema, flowAddedSchema } from '../schemas/flow-schemas.js';
import type { AddressParams, JobParams, RegisterRoutes } from './route-types.js';
import { isoTime } from './to-job-json.js';

/** Flows, batches and a job's dependencies (docs/flows-and-batches.md). */
export const registerFlowsRoutes: RegisterRoutes = (app) => {
  app.post<{ Params: AddressParams; Body: { jobs: FlowJobJson[] } }>('/flows', {
    schema: {
      tags: ['flows'],
      operationId: 'addFlow',
      summary: 'Add jobs that wait for each other, in one transaction',
      params: addressParamsSchema,
      body: addFlowBodySchema,
      response: { 201: flowAddedSchema, ...errorResponses },
    },
  }, async (request, reply): Promise<FlowAddedJson> => {
    const jobs = await request.service.addFlow({ jobs: request.body.jobs });
    reply.code(201);
    return { jobs: jobs.map((job) => ({ ...job, status: job.status as FlowAddedJson['jobs'][number]['status'] })) };
  });

  app.post<{ Params: AddressParams; Body: { jobs: BatchJobJson[]; callback: BatchJobJson } }>('/batches', {
    schema: {
      tags: ['flows'],
      operationId: 'addBatch',
      summary: 'Add a batch: jobs, and a callback that runs once after all of them ended',
      params: addressParamsSchema,
      body: addBatchBodySchema,
      response: { 201: batchAddedSchema, ...errorResponses },
    },
  }, async (request, reply): Promise<BatchAddedJson> => {
    const added = await request.service.addBatch(request.body);
    reply.code(201).header('location', `/api/services/${request.service.address}/batches/${added.batchId}`);
    return added;
  });

  app.get<{ Params: JobParams }>('/batches/:id', {
    schema: {
      tags: ['flows'],
      operationId: 'getBatch',
      summary: 'How far a batch is: its jobs completed, failed, cancelled and pending',
      params: batchParamsSchema,
      response: { 200: batchSchema, ...errorResponses },
    },
  }, async (request): Promise<BatchJson> => {
    const batch = await request.service.getBatch(request.params.id);
    if (!batch) throw new HttpError(404, 'unknown_batch', `batch ${request.params.id} does not exist in service ${request.service.address}`);
    return { ...batch, created: isoTime(batch.created) };
  });

  app.get<{ Params: JobParams }>('/jobs/:id/dependencies', {
    schema: {
      tags: ['flows'],
      operationId: 'getJobDependencies',
      summary: 'The jobs a job waits for, and those that wait for it',
      params: jobParamsSchema,
      response: { 200: dependenciesSchema, ...errorResponses },
    },
  }, async (request): Promise<DependenciesJson> => request.service.relatedJobs(request.params.id, 1000));
};
