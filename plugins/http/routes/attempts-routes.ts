import { ATTEMPT_OUTCOMES, ATTEMPT_ERROR_CHARS, ATTEMPT_STACK_CHARS, ATTEMPTS_KEPT, type JobAttempt } from 'remotetask';
import type { JobAttemptJson } from 'remotetask/client';
import { errorResponses, jobParamsSchema } from '../schemas/api-schemas.js';
import type { JobParams, RegisterRoutes } from './route-types.js';
import { isoTime } from './to-job-json.js';

const attemptSchema = {
  type: 'object',
  required: ['attempt', 'started', 'ended', 'workerId', 'outcome', 'error', 'errorStack'],
  properties: {
    attempt: { type: 'integer', description: 'the job\'s attempt number during this run' },
    started: { type: ['string', 'null'], format: 'date-time' },
    ended: { type: 'string', format: 'date-time' },
    workerId: { type: 'string', description: 'the worker id (process) that held the job' },
    outcome: { type: 'string', enum: [...ATTEMPT_OUTCOMES], description: '`lost`: the lease ran out before the worker reported' },
    error: { type: ['string', 'null'], maxLength: ATTEMPT_ERROR_CHARS },
    errorStack: { type: ['string', 'null'], maxLength: ATTEMPT_STACK_CHARS },
  },
} as const;

export function toAttemptJson(attempt: JobAttempt): JobAttemptJson {
  return { ...attempt, started: isoTime(attempt.started), ended: isoTime(attempt.ended) };
}

/** A job's attempt history: kept apart from the job's JSON, which leaves stacks out. */
export const registerAttemptsRoutes: RegisterRoutes = (app) => {
  app.get<{ Params: JobParams }>('/jobs/:id/attempts', {
    schema: {
      tags: ['jobs'],
      operationId: 'getJobAttempts',
      summary: `A job's runs that ended, newest first (the newest ${ATTEMPTS_KEPT}): worker, times, outcome, error and stack`,
      params: jobParamsSchema,
      response: {
        200: { type: 'object', required: ['attempts'], properties: { attempts: { type: 'array', maxItems: ATTEMPTS_KEPT, items: attemptSchema } } },
        ...errorResponses,
      },
    },
  }, async (request): Promise<{ attempts: JobAttemptJson[] }> => ({
    attempts: (await request.service.getAttempts(request.params.id)).map(toAttemptJson),
  }));
};
