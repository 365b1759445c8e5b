import type { FastifyInstance } from 'fastify';
import type { Kernel } from 'remotetask';
import { httpUsersOf, registerServiceScope } from 'remotetask/http';
import { assetUrls, loadAssets } from './assets.js';
import { describeError } from './dashboard-error.js';
import { DashboardContext } from './dashboard-context.js';
import { type DetailRenderer, DetailRendererRegistry, DetailRenderers } from './detail-renderers.js';
import { registerAssetRoutes } from './routes/asset-routes.js';
import { registerEventsRoutes } from './routes/events-routes.js';
import { registerJobRoutes } from './routes/job-routes.js';
import { registerJobsRoutes } from './routes/jobs-routes.js';
import { registerRetryRoutes } from './routes/retry-routes.js';
import { registerLoginRoutes } from './routes/login-routes.js';
import { registerOverviewRoutes } from './routes/overview-routes.js';
import { registerProcessingRoutes } from './routes/processing-routes.js';
import { registerWorkersRoutes } from './routes/workers-routes.js';
import { registerPauseRoutes } from './routes/pause-routes.js';
import { installSession } from './session/install-session.js';
import { SessionStore } from './session/session-store.js';
import { Throughput } from './stats/throughput.js';
import { errorPage } from './views/layout.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The id of the last job event when the request came in (see ViewContext.eventsSince). */
    dashboardEventsSince?: string;
  }
}

export interface DashboardOptions {
  /** Signs session cookies; random per process by default. */
  sessionSecret?: string;
  /** How long live updates gather job events into one message (ms). */
  liveBatchMs?: number;
}

/**
 * Nothing but this server's own files, no inline script or style, no framing: what the dashboard's
 * pages may load. htmx runs with eval off (`htmx-config`), so it needs no 'unsafe-eval'.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/**
 * The dashboard in its own fastify context of the web service (an `HttpRoutes` contribution):
 * sessions and CSRF checks, HTML error pages and security headers apply to its routes only.
 */
export async function registerDashboard(app: FastifyInstance, kernel: Kernel, options: DashboardOptions = {}): Promise<void> {
  const users = httpUsersOf(kernel);
  const sessions = new SessionStore({ secret: options.sessionSecret });
  const renderers = new DetailRendererRegistry(kernel.contributions<DetailRenderer>(DetailRenderers), (task, error) =>
    kernel.logger.warn(`dashboard: the detail renderer of task "${task}" failed, showing its input instead: ${error.message}`, { stack: error.stack }),
  );
  const throughput = new Throughput(kernel.store, kernel.clock, (service, error) =>
    kernel.logger.warn(`dashboard: reading the completions of ${service} from the store failed: ${error.message}`));
  const stopThroughput = throughput.attach(kernel.events);
  app.addHook('onClose', async () => stopThroughput());

  const assets = loadAssets();
  const dashboard = new DashboardContext(kernel, users, sessions, renderers, throughput, assetUrls(assets));

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, new URLSearchParams(body as string));
  });
  installSession(app, { sessions, authEnabled: dashboard.authEnabled });
  // Taken before a page reads the store: its live updates replay what happened from here on, so
  // no change falls between what the page shows and its subscription.
  app.decorateRequest('dashboardEventsSince', undefined);
  app.addHook('onRequest', async (request) => {
    request.dashboardEventsSince = kernel.events.lastId();
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
  app.setErrorHandler((error, request, reply) => {
    const { statusCode, message } = describeError(error);
    if (statusCode >= 500) kernel.logger.error(`dashboard: ${request.method} ${request.url} failed: ${(error as Error).message}`, { stack: (error as Error).stack });
    return dashboard.send(reply, errorPage(dashboard.view(request), statusCode, message), statusCode);
  });

  registerAssetRoutes(app, assets);
  registerLoginRoutes(app, dashboard);
  registerOverviewRoutes(app, dashboard);
  registerWorkersRoutes(app, dashboard);
  registerServiceScope(app, kernel, '/services/:address', (scope) => {
    registerProcessingRoutes(scope, dashboard);
    registerPauseRoutes(scope, dashboard);
    registerJobsRoutes(scope, dashboard);
    registerJobRoutes(scope, dashboard);
    registerRetryRoutes(scope, dashboard);
  });
  registerEventsRoutes(app, dashboard, { batchMs: options.liveBatchMs });
}
