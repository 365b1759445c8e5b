import { addressParamsSchema, errorResponses } from '../schemas/api-schemas.js';
import type { AddressParams, RegisterRoutes } from './route-types.js';

const pausedSchema = {
  type: 'object',
  properties: {
    paused: { type: 'boolean', description: 'whether the service is paused for every process' },
    since: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

/**
 * `GET|POST /api/services/{address}/pause` and `POST …/resume`: the fleet-wide pause. Unlike
 * `…/processing` (this process's processor), it is stored: every process stops claiming.
 */
export const registerPauseRoutes: RegisterRoutes = (app, kernel) => {
  const state = async (address: string) => {
    const entry = (await kernel.store.pausedServices()).find((paused) => paused.service === address);
    return { paused: entry !== undefined, since: entry ? new Date(entry.since).toISOString() : null };
  };
  app.get<{ Params: AddressParams }>('/pause', {
    schema: {
      tags: ['services'], operationId: 'getPause', summary: 'Whether the service is paused for every process',
      params: addressParamsSchema, response: { 200: pausedSchema, ...errorResponses },
    },
  }, async (request) => state(request.service.address));
  app.post<{ Params: AddressParams }>('/pause', {
    schema: {
      tags: ['services'], operationId: 'pauseService',
      summary: 'Pause the service for every process (stored): none claims its jobs, running jobs finish',
      params: addressParamsSchema, response: { 200: pausedSchema, ...errorResponses },
    },
  }, async (request) => {
    await request.service.pauseEverywhere();
    return state(request.service.address);
  });
  app.post<{ Params: AddressParams }>('/resume', {
    schema: {
      tags: ['services'], operationId: 'resumeService', summary: 'Resume a service paused for every process',
      params: addressParamsSchema, response: { 200: pausedSchema, ...errorResponses },
    },
  }, async (request) => {
    await request.service.resumeEverywhere();
    return state(request.service.address);
  });
};
