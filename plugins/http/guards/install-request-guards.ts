import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors/http-error.js';
import type { HttpSettings } from '../http-settings.js';
import { crossSiteProblem } from './cross-site-problem.js';
import { hostProblem } from './host-problem.js';

/**
 * Checks every request, before authentication and before its body is read, for what a browser
 * could be made to send on another site's behalf: a Host that is not this server's (DNS
 * rebinding: 421) and a state-changing request from another site's page (403). Content types a
 * page may send without asking (text/plain, forms) are refused by having no parser (415).
 */
export function installRequestGuards(app: FastifyInstance, settings: HttpSettings, usersConfigured: boolean): void {
  app.removeContentTypeParser('text/plain');
  const rules = { allowedHosts: settings.allowedHosts, usersConfigured };
  app.addHook('onRequest', (request, _reply, done) => {
    const wrongHost = hostProblem(request.host, rules);
    if (wrongHost) return done(new HttpError(421, 'unknown_host', wrongHost));
    const crossSite = crossSiteProblem(
      { method: request.method, headers: request.headers, protocol: request.protocol, host: request.host },
      settings.allowedOrigins,
    );
    if (crossSite) return done(new HttpError(403, 'cross_site_refused', crossSite));
    done();
  });
}
