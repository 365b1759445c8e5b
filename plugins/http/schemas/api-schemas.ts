/**
 * JSON Schemas of the REST API: fastify validates requests with them and @fastify/swagger builds
 * /openapi.json from them. Free-form values (input, result, schedule fields) are left untyped here;
 * the task's own schema and validateSchedule check them with better messages.
 */
import { dependencyProperties } from './flow-schemas.js';
import { JOB_STATUSES, KEY_SCOPES, MAX_KEY_LENGTH, MAX_DELAY_SECONDS, MAX_JOB_ID, MAX_PRIORITY, MAX_TIMEOUT_MS, MIN_PRIORITY } from 'remotetask';

const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type: [type, 'null'], ...extra });
const isoTime = { type: 'string', format: 'date-time' };

export const errorBodySchema = {
  type: 'object',
  description: 'Every error answer',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'machine-readable: unknown_task, invalid_input, unauthorized, …' },
        message: { type: 'string' },
        details: { description: 'schema problems [{ path, message }], available tasks, …' },
      },
    },
  },
} as const;

/** The 4xx/5xx answers every route may give. */
export const errorResponses = { '4xx': errorBodySchema, '5xx': errorBodySchema } as const;

export const jobStatusSchema = { type: 'string', enum: [...JOB_STATUSES] } as const;

export const jobSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    service: { type: 'string', examples: ['@RootTaskService'] },
    task: { type: 'string' },
    status: jobStatusSchema,
    input: { description: 'the input the job was added with' },
    result: { description: 'the result (a cron job: of its last run), or null' },
    error: nullable('string'),
    attempts: { type: 'integer' },
    maxAttempts: { type: 'integer' },
    created: isoTime,
    started: nullable('string', { format: 'date-time' }),
    completed: nullable('string', { format: 'date-time' }),
    nextRunAt: nullable('string', { format: 'date-time', description: 'when a delayed, cron or retrying job is due next' }),
    schedule: { description: 'a cron or delayed job\'s schedule, or null' },
    progress: nullable('number', { minimum: 0, maximum: 1 }),
    progressMessage: nullable('string'),
    cancelRequested: { type: 'boolean' },
    timeout: nullable('integer', { description: 'the job\'s own time limit per run (ms), or null' }),
    priority: { type: 'integer', description: 'lower runs first; 0 by default' },
    key: nullable('string', { description: 'unique within the service while the job holds it, or null' }),
    queue: nullable('string', { description: 'the serial queue the job runs in (one at a time, in the order added), or null' }),
    limit: {
      type: ['object', 'null'],
      description: 'the fleet-wide limit the job runs under (a task\'s name, or *), with its partition when partitioned; or null',
      properties: { name: { type: 'string' }, partition: { description: 'the value of the limit\'s partitionBy field' } },
    },
    heldBy: {
      type: ['object', 'null'],
      description: 'on GET of one job: why it waits behind its limit or queue now (e.g. concurrency 2 reached), or null',
      properties: { limit: { type: 'string' }, queue: { type: 'string' }, partition: {}, reason: { type: 'string' } },
    },
    batchId: nullable('integer', { description: 'the batch the job belongs to (a member or its callback), or null' }),
  },
} as const;

export const jobPageSchema = {
  type: 'object',
  properties: {
    jobs: { type: 'array', items: jobSchema },
    nextCursor: nullable('string', { description: 'pass as cursor for the next page; null on the last page' }),
  },
} as const;

export const jobCreatedSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    status: jobStatusSchema,
    outcome: { type: 'string', enum: ['created', 'existing', 'replaced'], description: 'for a job added with a key: created, or the job holding the key (existing, or replaced with this input)' },
  },
} as const;

export const addressParamsSchema = {
  type: 'object',
  required: ['address'],
  properties: {
    address: { type: 'string', description: 'the service: site@Service, or @Service for the root site (@ may be written %40)', examples: ['@RootTaskService'] },
  },
} as const;

export const jobParamsSchema = {
  type: 'object',
  required: ['address', 'id'],
  properties: { ...addressParamsSchema.properties, id: { type: 'integer', minimum: 1, maximum: MAX_JOB_ID } },
} as const;

const fieldList = (description: string) => ({ description: `${description}: a whole number or a list of them` });

/** The schedule keys; validateSchedule checks them and explains what is wrong. */
export const scheduleProperties = {
  minute: fieldList('minutes 0-59'),
  hour: fieldList('hours 0-23'),
  dayOfMonth: fieldList('days of the month 1-31'),
  month: fieldList('months 1-12'),
  dayOfWeek: fieldList('days of the week 0-6, 0 = Monday'),
  delay: { type: 'number', description: `run once, this many seconds from now (a delayed job; at most ${MAX_DELAY_SECONDS}, 100 years)` },
  cron: { type: 'string', description: 'a 5-field cron expression, instead of the field lists', examples: ['*/15 * * * *'] },
  tz: { type: 'string', description: 'the IANA time zone of cron (default UTC)', examples: ['Europe/Berlin'] },
} as const;

/** Lower runs first (graphile-worker's and Oban's convention); first come first served within one. */
export const prioritySchema = {
  type: 'integer',
  minimum: MIN_PRIORITY,
  maximum: MAX_PRIORITY,
  description: `lower runs first, 0 by default; from ${MIN_PRIORITY} to ${MAX_PRIORITY}; jobs of one priority run first come first served`,
} as const;

/** A key that makes the job unique within its service, and what happens when it is taken. */
export const keyProperties = {
  key: { type: 'string', minLength: 1, maxLength: MAX_KEY_LENGTH, description: 'unique within the service while the job holds it: a second add with the key adds nothing (200 with the job holding it)' },
  keyScope: { type: 'string', enum: [...KEY_SCOPES], description: 'how long the key holds: waiting (default: until the job first starts), running (until it ends), finished (for keyPeriod seconds after)' },
  keyPeriod: { type: 'number', minimum: 0.001, maximum: MAX_DELAY_SECONDS, description: 'with keyScope finished: seconds after the job ended that its key stays taken' },
  onKeyTaken: { type: 'string', enum: ['keep', 'replace'], description: 'keep (default): answer the job holding the key; replace: give it this input (and schedule) while it waits' },
} as const;

export const addJobBodySchema = {
  type: 'object',
  required: ['task'],
  additionalProperties: false,
  properties: {
    task: { type: 'string', minLength: 1, examples: ['echo'] },
    input: { description: 'the job\'s input; it must match the task\'s inputSchema', examples: [{ foo: 'bar' }] },
    startLater: { type: 'boolean', description: 'add in "start later"; start it with POST …/jobs/{id}/start' },
    timeout: { type: 'integer', minimum: 1, maximum: MAX_TIMEOUT_MS, description: 'a time limit for each run of this job, in ms (over the task\'s own; at most 2^31 - 1, about 24.8 days)' },
    priority: prioritySchema,
    queue: { type: 'string', minLength: 1, maxLength: 200, description: 'a serial queue: its jobs run one at a time, in the order added, across every worker' },
    ...keyProperties,
    ...dependencyProperties,
  },
} as const;

/** Unknown keys pass: validateSchedule names them and suggests the key that was meant. */
export const addCronJobBodySchema = {
  type: 'object',
  required: ['task'],
  properties: {
    task: addJobBodySchema.properties.task,
    input: addJobBodySchema.properties.input,
    priority: prioritySchema,
    ...keyProperties,
    ...scheduleProperties,
  },
} as const;

export const scheduleBodySchema = {
  type: 'object',
  properties: scheduleProperties,
} as const;
