import Fastify, { type FastifyInstance } from 'fastify';
import type { Kernel } from 'remotetask';
import type { Logger } from 'winston';
import type { HttpUsers } from './auth/http-users.js';
import { httpUsersOf } from './auth/http-users-of.js';
import { installAuth } from './auth/install-auth.js';
import { clientErrorHandler, frameworkErrors } from './errors/framework-errors.js';
import { installErrorHandlers } from './errors/install-error-handlers.js';
import { parseJsonBodies } from './errors/parse-json-bodies.js';
import { installRequestGuards } from './guards/install-request-guards.js';
import { httpOptionsOf } from './http-options.js';
import { resolveHttpSettings } from './http-settings.js';
import { HttpRoutes, type HttpRouteContribution } from './http-routes.js';
import { createMetrics } from './metrics/create-metrics.js';
import { registerOpenApi } from './openapi/register-openapi.js';
import { registerCronJobsRoutes } from './routes/cron-jobs-routes.js';
import { registerEventsRoutes } from './routes/events-routes.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerJobsRoutes } from './routes/jobs-routes.js';
import { registerPriorityRoutes } from './routes/priority-routes.js';
import { registerFlowsRoutes } from './routes/flows-routes.js';
import { registerMetricsRoutes } from './routes/metrics-routes.js';
import { registerProcessingRoutes } from './routes/processing-routes.js';
import { registerRetryRoutes } from './routes/retry-routes.js';
import { registerAttemptsRoutes } from './routes/attempts-routes.js';
import { registerPauseRoutes } from './routes/pause-routes.js';
import { registerServiceScope, SERVICE_PREFIX } from './routes/service-scope.js';
import { registerSitesRoutes } from './routes/sites-routes.js';
import { registerTasksRoutes } from './routes/tasks-routes.js';
import { registerWorkersRoutes } from './routes/workers-routes.js';
import { sseStreams } from './sse/sse-streams.js';
import { strictValidatorCompiler } from './schemas/strict-validator-compiler.js';
import { registerXmlrpcRoutes } from './xmlrpc/xmlrpc-routes.js';

export const HTTP_API_VERSION = '1.0.0';

export interface HttpAppOptions {
  /** Default: the users of the kernel's config (`http.users`). */
  users?: HttpUsers;
  /** Default: the kernel's logger. */
  logger?: Logger;
  /** How often idle event streams get a heartbeat comment (ms); default 15 s. */
  sseHeartbeatMs?: number;
}

/**
 * The web service of a kernel as a fastify app, not yet listening: the REST API, XML-RPC, event
 * streams, health, metrics, OpenAPI and docs, then the routes plugins contributed to `HttpRoutes`.
 * Tests call it and `inject()`; `startHttpServer` makes it listen.
 */
export async function buildHttpApp(kernel: Kernel, options: HttpAppOptions = {}): Promise<FastifyInstance> {
  const settings = resolveHttpSettings(httpOptionsOf(kernel));
  const users = options.users ?? httpUsersOf(kernel);
  const logger = options.logger ?? kernel.logger;
  const app = Fastify({
    logger: false,
    bodyLimit: settings.bodyLimit,
    trustProxy: settings.trustProxy,
    frameworkErrors,
    clientErrorHandler,
  });
  app.setValidatorCompiler(strictValidatorCompiler);

  installRequestGuards(app, settings, users.size > 0);
  parseJsonBodies(app);
  installErrorHandlers(app, logger);
  installAuth(app, users);
  // A callback hook, and the line built only when it is logged: this runs for every request.
  app.addHook('onResponse', (request, reply, done) => {
    if (logger.isLevelEnabled('http')) {
      logger.http(`${request.method} ${request.url} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)} ms${request.user ? ` (${request.user.name})` : ''}`);
    }
    done();
  });

  await registerOpenApi(app, { version: HTTP_API_VERSION, secured: users.size > 0 });
  registerSitesRoutes(app, kernel);
  const eventStreams = sseStreams(app, { heartbeatMs: options.sseHeartbeatMs ?? 15_000, cacheControl: 'no-cache, no-transform' });
  registerServiceScope(app, kernel, SERVICE_PREFIX, (scope) => {
    registerTasksRoutes(scope, kernel);
    registerJobsRoutes(scope, kernel);
    registerRetryRoutes(scope, kernel);
    registerAttemptsRoutes(scope, kernel);
    registerCronJobsRoutes(scope, kernel);
    registerPriorityRoutes(scope, kernel);
    registerFlowsRoutes(scope, kernel);
    registerProcessingRoutes(scope, kernel);
    registerPauseRoutes(scope, kernel);
    registerEventsRoutes(scope, kernel, eventStreams);
  });
  registerHealthRoutes(app, kernel);
  registerWorkersRoutes(app, kernel);
  const metrics = createMetrics(kernel, { openEventStreams: eventStreams.count });
  app.addHook('onClose', async () => metrics.stop());
  registerMetricsRoutes(app, metrics.registry);
  registerXmlrpcRoutes(app, kernel, users);

  for (const contribution of kernel.contributions<HttpRouteContribution>(HttpRoutes)) {
    await app.register(async (scope) => contribution(scope, kernel));
  }
  return app;
}
