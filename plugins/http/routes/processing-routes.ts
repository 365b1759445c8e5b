import { addressParamsSchema, errorResponses } from '../schemas/api-schemas.js';
import type { AddressParams, RegisterRoutes } from './route-types.js';

/** `POST /api/services/{address}/processing`: starts or stops this process's processor of the service (the fleet-wide pause: pause-routes.ts). */
export const registerProcessingRoutes: RegisterRoutes = (app) => {
  app.post<{ Params: AddressParams; Body: { action: 'start' | 'stop' } }>('/processing', {
    schema: {
      tags: ['services'],
      operationId: 'setProcessing',
      summary: 'Start or stop processing in this web server\'s process only (stop waits for running jobs, up to the service\'s stopTimeout); other processes go on: see /pause',
      params: addressParamsSchema,
      body: {
        type: 'object',
        required: ['action'],
        additionalProperties: false,
        properties: { action: { type: 'string', enum: ['start', 'stop'] } },
      },
      response: { 200: { type: 'object', properties: { processing: { type: 'boolean' } } }, ...errorResponses },
    },
  }, async (request) => {
    const service = request.service;
    if (request.body.action === 'start') service.startProcessing();
    else await service.stopProcessing();
    return { processing: service.isProcessing() };
  });
};
