import type { FastifyInstance } from 'fastify';
import type { Kernel, TaskService } from 'remotetask';
import type { AddressParams } from './route-types.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The service the route's `:address` names, resolved once; set only on routes of a service scope. */
    service: TaskService;
  }
}

/** The prefix of the REST API's routes of one service. */
export const SERVICE_PREFIX = '/api/services/:address';

/**
 * Registers routes under a prefix that ends in `:address` (their paths relative to it): a hook
 * resolves the service once per request and the handlers read `request.service`. An unknown
 * address is the same 404 on every route. The hook runs just before the handler, after
 * authentication and validation, so which answer a bad request gets is the same as when each
 * handler looked the service up itself.
 */
export function registerServiceScope(app: FastifyInstance, kernel: Kernel, prefix: string, register: (scope: FastifyInstance) => void): void {
  app.register(
    async (scope) => {
      scope.decorateRequest('service', null as unknown as TaskService);
      // A callback hook: the cheapest kind, and this runs on every request of the scope.
      scope.addHook('preHandler', (request, _reply, done) => {
        request.service = kernel.getService((request.params as AddressParams).address);
        done();
      });
      register(scope);
    },
    { prefix },
  );
}
