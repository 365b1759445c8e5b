import type { RegisterRoutes } from './route-types.js';

const PROBE_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** `GET /healthz`: 200 while the job store answers, 503 when it does not. Open to all, for load balancers. */
export const registerHealthRoutes: RegisterRoutes = (app, kernel) => {
  app.get('/healthz', {
    config: { access: 'public' },
    schema: {
      tags: ['operations'],
      operationId: 'getHealth',
      summary: 'Health: 200 when the job store can be reached, 503 when not (no authentication)',
      response: {
        200: { type: 'object', properties: { status: { type: 'string', const: 'ok' } } },
        503: {
          type: 'object',
          properties: {
            status: { type: 'string', const: 'unavailable' },
            error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
          },
        },
      },
    },
  }, async (_request, reply) => {
    try {
      // A lookup by primary key: the cheapest question every store must answer.
      await withTimeout(kernel.store.get(0), PROBE_TIMEOUT_MS);
      return { status: 'ok' };
    } catch (error) {
      kernel.logger.warn(`health check: the job store cannot be reached: ${(error as Error).message}`);
      reply.code(503);
      return { status: 'unavailable', error: { code: 'store_unreachable', message: `the ${kernel.store.kind} job store cannot be reached` } };
    }
  });
};
