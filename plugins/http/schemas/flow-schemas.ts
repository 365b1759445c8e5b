/** JSON Schemas of flows, batches and dependencies (see docs/flows-and-batches.md). */
import { MAX_FLOW_JOBS, MAX_JOB_ID, MAX_PARENTS, MAX_TIMEOUT_MS, MAX_PRIORITY, MIN_PRIORITY, JOB_STATUSES } from 'remotetask';

const jobId = { type: 'integer', minimum: 1, maximum: MAX_JOB_ID } as const;
const status = { type: 'string', enum: [...JOB_STATUSES] } as const;
const onParentFailure = {
  type: 'string',
  enum: ['cancel', 'run'],
  description: 'when a job it waits for ends error or cancelled: cancel this one too (default), or run it anyway',
} as const;
const jobFields = {
  task: { type: 'string', minLength: 1, examples: ['echo'] },
  input: { description: 'the job\'s input; it must match the task\'s inputSchema' },
  priority: { type: 'integer', minimum: MIN_PRIORITY, maximum: MAX_PRIORITY },
  timeout: { type: 'integer', minimum: 1, maximum: MAX_TIMEOUT_MS },
} as const;

/** What `POST …/jobs` takes to add a job that waits for others. */
export const dependencyProperties = {
  after: { type: 'array', items: jobId, maxItems: MAX_PARENTS, description: 'ids of jobs of the service this job waits for: it runs once all completed' },
  onParentFailure,
} as const;

export const addFlowBodySchema = {
  type: 'object',
  required: ['jobs'],
  additionalProperties: false,
  properties: {
    jobs: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_FLOW_JOBS,
      description: 'the jobs, each listed after the jobs of the flow it waits for',
      items: {
        type: 'object',
        required: ['task'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200, description: 'what later jobs of the flow name it by in their after' },
          ...jobFields,
          after: {
            type: 'array',
            maxItems: MAX_PARENTS,
            items: { anyOf: [jobId, { type: 'string', minLength: 1, maxLength: 200 }] },
            description: 'the jobs it waits for: ids of stored jobs, names of earlier jobs of the flow',
          },
          onParentFailure,
        },
      },
    },
  },
} as const;

const batchJob = { type: 'object', required: ['task'], additionalProperties: false, properties: jobFields } as const;

export const addBatchBodySchema = {
  type: 'object',
  required: ['jobs', 'callback'],
  additionalProperties: false,
  properties: {
    jobs: { type: 'array', minItems: 1, maxItems: MAX_FLOW_JOBS - 1, items: batchJob },
    callback: { ...batchJob, description: 'runs once every job of the batch ended; it reads the counts with context.batch()' },
  },
} as const;

export const flowAddedSchema = {
  type: 'object',
  properties: {
    jobs: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'integer' }, name: { type: ['string', 'null'] }, task: { type: 'string' }, status } },
    },
  },
} as const;

export const batchAddedSchema = {
  type: 'object',
  properties: { batchId: { type: 'integer' }, callbackId: { type: 'integer' }, ids: { type: 'array', items: { type: 'integer' } } },
} as const;

export const batchSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    service: { type: 'string' },
    callbackId: { type: 'integer' },
    size: { type: 'integer' },
    created: { type: 'string', format: 'date-time' },
    completed: { type: 'integer' },
    failed: { type: 'integer', description: 'members that ended error' },
    cancelled: { type: 'integer' },
    pending: { type: 'integer', description: 'members not ended yet' },
  },
} as const;

const relatedJob = {
  type: 'object',
  properties: { id: { type: 'integer' }, task: { type: 'string' }, status, result: {}, error: { type: ['string', 'null'] } },
} as const;

export const dependenciesSchema = {
  type: 'object',
  properties: {
    parents: { type: 'array', items: relatedJob, description: 'the jobs it waits (or waited) for, first 1000' },
    children: { type: 'array', items: relatedJob, description: 'the jobs that wait (or waited) for it, first 1000' },
  },
} as const;

export const batchParamsSchema = {
  type: 'object',
  required: ['address', 'id'],
  properties: {
    address: { type: 'string' },
    id: jobId,
  },
} as const;
