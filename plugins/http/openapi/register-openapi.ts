import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { operationIdOf } from './operation-id.js';

export interface OpenApiOptions {
  version: string;
  /** Whether the API asks for credentials: its operations then require Basic or bearer auth. */
  secured: boolean;
}

/** HTTP Basic with a user of `http.users` and its password, or a bearer token of one. */
const SECURITY_SCHEMES = {
  basicAuth: { type: 'http' as const, scheme: 'basic' },
  bearerAuth: { type: 'http' as const, scheme: 'bearer' },
};

/**
 * Collects the route schemas into an OpenAPI 3 document at /openapi.json and serves Swagger UI at
 * /docs from the files installed with @fastify/swagger-ui (no CDN). Must be registered before the
 * routes it documents.
 *
 * A route is part of the API when its schema names a tag: the dashboard's pages, forms and assets
 * name none and stay out. Every operation gets an operationId (its own, or one made of its method
 * and path); routes that take no credentials (`access: 'public'`) say so.
 */
export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  await app.register(swagger, {
    hideUntagged: true,
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'remotetask',
        version: options.version,
        description:
          'Remote task execution: add jobs for named tasks to a task service, follow them, cancel them. ' +
          'A service is addressed as site@Service (@Service for the root site). Errors are { error: { code, message, details? } }.',
        license: { name: 'ZPL-2.1', url: 'https://opensource.org/license/zpl-2-1' },
      },
      servers: [{ url: '/', description: 'this server' }],
      tags: [
        { name: 'services', description: 'Sites, services and processing' },
        { name: 'tasks', description: 'The tasks a service can run' },
        { name: 'jobs', description: 'Adding, reading, cancelling and cleaning jobs' },
        { name: 'cron jobs', description: 'Cron and delayed jobs' },
        { name: 'flows', description: 'Jobs that wait for others: flows, batches, dependencies' },
        { name: 'events', description: 'Server-Sent Events' },
        { name: 'xml-rpc', description: 'The seed\'s XML-RPC API' },
        { name: 'operations', description: 'Health and metrics' },
        { name: 'files', description: 'Files to give tasks as input, and their results (the files plugin)' },
      ],
      // Declared always, so clients see what the server takes; required only when users are configured.
      components: { securitySchemes: SECURITY_SCHEMES },
      security: options.secured ? [{ basicAuth: [] }, { bearerAuth: [] }] : [{}],
    },
    transform: ({ schema, url, route }) => {
      if (!schema?.tags) return { schema, url };
      const publicRoute = route.config?.access === 'public';
      return {
        url,
        schema: {
          ...schema,
          operationId: schema.operationId ?? operationIdOf(route.method, url),
          ...(publicRoute ? { security: [{}] } : {}),
        },
      };
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // validatorUrl would send the document to swagger.io for a badge: nothing leaves the server.
    uiConfig: { validatorUrl: null, deepLinking: true },
    staticCSP: true,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
