import { MAX_DELAY_SECONDS, MAX_JOB_ID } from 'remotetask';
import { AGENT_NAME_PATTERN } from '../protocol.js';

/** JSON Schemas of the agent protocol's requests (fastify validates them; the OpenAPI document shows them). */
export const agentParams = {
  type: 'object',
  required: ['address', 'agent'],
  properties: {
    address: { type: 'string', description: 'the service address, site@Service' },
    agent: { type: 'string', pattern: AGENT_NAME_PATTERN, description: 'the agent\'s own name for itself, kept across reconnects' },
  },
} as const;

const jobId = { type: 'integer', minimum: 1, maximum: MAX_JOB_ID } as const;
const taskName = { type: 'string', minLength: 1, maxLength: 200 } as const;
const ids = { type: 'array', items: jobId, maxItems: 10_000 } as const;
const jsonSchema = { type: ['object', 'boolean'] } as const;
const error = { type: 'string', maxLength: 100_000 } as const;
const stack = { type: ['string', 'null'], maxLength: 100_000 } as const;

export const helloBody = {
  type: 'object',
  required: ['tasks'],
  additionalProperties: false,
  properties: {
    tasks: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: { name: taskName, description: { type: 'string', maxLength: 10_000 }, inputSchema: jsonSchema, outputSchema: jsonSchema },
      },
    },
  },
} as const;

export const claimBody = {
  type: 'object',
  required: ['limit'],
  additionalProperties: false,
  properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 }, tasks: { type: 'array', items: taskName, maxItems: 1000 } },
} as const;

export const renewBody = { type: 'object', required: ['ids'], additionalProperties: false, properties: { ids } } as const;

export const progressBody = {
  type: 'object',
  required: ['id', 'progress'],
  additionalProperties: false,
  properties: { id: jobId, progress: { type: 'number', minimum: 0, maximum: 1 }, message: { type: ['string', 'null'], maxLength: 10_000 } },
} as const;

export const finishBody = {
  type: 'object',
  required: ['outcomes'],
  additionalProperties: false,
  properties: {
    outcomes: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['id', 'kind'],
        additionalProperties: false,
        properties: {
          id: jobId,
          kind: { enum: ['completed', 'failed', 'retry', 'cancelled', 'snoozed', 'released'] },
          result: {},
          error: { ...error, type: ['string', 'null'] },
          errorStack: stack,
          retryInMs: { type: 'integer', minimum: 0, maximum: 365 * 24 * 3600 * 1000 },
          snoozeInMs: { type: 'integer', minimum: 0, maximum: MAX_DELAY_SECONDS * 1000 },
        },
        allOf: [
          { if: { properties: { kind: { enum: ['failed', 'retry'] } } }, then: { required: ['error'], properties: { error } } },
          { if: { properties: { kind: { const: 'retry' } } }, then: { required: ['retryInMs'] } },
          { if: { properties: { kind: { const: 'snoozed' } } }, then: { required: ['snoozeInMs'] } },
        ],
      },
    },
  },
} as const;
