import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export interface OpenApiOptions {
  version: string;
  /** Whether the API asks for credentials: the document then declares Basic and bearer auth. */
  secured: boolean;
}

/**
 * Collects the route schemas into an OpenAPI 3 document at /openapi.json and serves Swagger UI at
 * /docs from the files installed with @fastify/swagger-ui (no CDN). Must be registered before the
 * routes it documents.
 */
export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'remotetask',
        version: options.version,
        description:
          'Remote task execution: add jobs for named tasks to a task service, follow them, cancel them. ' +
          'A service is addressed as site@Service (@Service for the root site). Errors are { error: { code, message, details? } }.',
      },
      tags: [
        { name: 'services', description: 'Sites, services and processing' },
        { name: 'tasks' },
        { name: 'jobs' },
        { name: 'cron jobs', description: 'Cron and delayed jobs' },
        { name: 'events', description: 'Server-Sent Events' },
        { name: 'xml-rpc', description: 'The seed\'s XML-RPC API' },
        { name: 'operations', description: 'Health and metrics' },
      ],
      ...(options.secured
        ? {
            components: {
              securitySchemes: {
                basicAuth: { type: 'http', scheme: 'basic' },
                bearerAuth: { type: 'http', scheme: 'bearer' },
              },
            },
            security: [{ basicAuth: [] }, { bearerAuth: [] }],
          }
        : {}),
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
