import type { ProcessRecord } from 'remotetask';
import type { WorkerJson } from 'remotetask/client';
import { HttpError } from '../errors/http-error.js';
import { errorResponses } from '../schemas/api-schemas.js';
import type { RegisterRoutes } from './route-types.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** A process of the registry as the API shows it: times as ISO strings. */
export function toWorkerJson({ ttl, started, heartbeat, jobs, ...rest }: ProcessRecord): WorkerJson {
  return {
    ...rest,
    started: iso(started),
    heartbeat: iso(heartbeat),
    ttlMs: ttl,
    jobs: jobs.map((job) => ({ ...job, started: job.started === null ? null : iso(job.started) })),
  };
}

const serviceSchema = {
  type: 'object',
  properties: { address: { type: 'string' }, concurrency: { type: 'integer' } },
} as const;

const heldJobSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    service: { type: 'string' },
    task: { type: 'string' },
    started: { type: ['string', 'null'], format: 'date-time', description: 'when its run began' },
  },
} as const;

export const workerSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'the worker id: the lockedBy of the jobs it holds' },
    host: { type: 'string' },
    pid: { type: 'integer' },
    role: { type: 'string', description: 'serve, worker, or embedded' },
    version: { type: 'string' },
    services: { type: 'array', items: serviceSchema, description: 'the services it processes, each with its concurrency' },
    started: { type: 'string', format: 'date-time' },
    heartbeat: { type: 'string', format: 'date-time', description: 'its last beat' },
    ttlMs: { type: 'integer', description: 'it is lost once its last beat is older than this (ms)' },
    lost: { type: 'boolean' },
    draining: { type: 'boolean', description: 'told to drain: it claims nothing and finishes what it runs' },
    finished: {
      type: 'object',
      description: 'the runs that ended in this process (completed, failed, retried): in all, and in the minute before its last beat',
      properties: { total: { type: 'integer' }, lastMinute: { type: 'integer' } },
    },
    jobs: { type: 'array', items: heldJobSchema, description: 'the jobs it holds now' },
  },
} as const;

/** `GET /api/workers`: every process of the store's registry, lost ones too, with what each runs. */
export const registerWorkersRoutes: RegisterRoutes = (app, kernel) => {
  app.get('/api/workers', {
    schema: {
      tags: ['operations'],
      operationId: 'listWorkers',
      summary: 'The processes that serve this store (web servers and workers), with the jobs each runs; lost ones stopped beating',
      response: {
        200: {
          type: 'object',
          properties: { now: { type: 'string', format: 'date-time' }, workers: { type: 'array', items: workerSchema } },
        },
      },
    },
  }, async () => {
    const now = kernel.clock();
    return { now: iso(now), workers: (await kernel.store.listProcesses(now)).map(toWorkerJson) };
  });

  for (const draining of [true, false]) {
    app.post<{ Params: { id: string } }>(`/api/workers/:id/${draining ? 'drain' : 'undrain'}`, {
      schema: {
        tags: ['operations'],
        operationId: draining ? 'drainWorker' : 'undrainWorker',
        summary: draining
          ? 'Drain one process: it finishes the jobs it runs and claims no more (it stays up; stop it when it holds none)'
          : 'Let a drained process claim jobs again',
        params: workerParamsSchema,
        response: { 200: drainedSchema, ...errorResponses },
      },
    }, async (request) => {
      const { id } = request.params;
      if (!(await kernel.store.setProcessDraining(id, draining))) {
        throw new HttpError(404, 'unknown_worker', `no process "${id}" is registered: GET /api/workers lists their ids`);
      }
      return { id, draining };
    });
  }
};

const workerParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 100, description: 'the worker id, as GET /api/workers lists it' } },
} as const;

const drainedSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, draining: { type: 'boolean' } },
} as const;
