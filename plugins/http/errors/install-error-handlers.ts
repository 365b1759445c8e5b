import type { FastifyInstance } from 'fastify';
import type { Logger } from 'winston';
import { errorResponse } from './error-response.js';
import { HttpError } from './http-error.js';

/** Answers every error and unknown route with the JSON error body; logs what clients are not told. */
export function installErrorHandlers(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error, request, reply) => {
    const { statusCode, body } = errorResponse(error);
    if (statusCode >= 500) {
      logger.error(`${request.method} ${request.url} failed: ${(error as Error).message}`, { stack: (error as Error).stack });
    }
    return reply.code(statusCode).type('application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((request) => {
    throw new HttpError(404, 'not_found', `there is no route ${request.method} ${request.url.split('?')[0]}; the API is described at /openapi.json`);
  });
}
