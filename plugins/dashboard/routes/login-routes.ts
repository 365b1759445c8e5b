import type { FastifyInstance } from 'fastify';
import { type DashboardContext, formField } from '../dashboard-context.js';
import { setSessionCookie } from '../session/install-session.js';
import { loginPage } from '../views/forms-view.js';
import { safeLocalPath } from '../views/urls.js';

/** Sign in with a user of `http.users` (password checked as the API checks it), sign out. */
export function registerLoginRoutes(app: FastifyInstance, dashboard: DashboardContext): void {
  const { users, sessions } = dashboard;

  app.get<{ Querystring: { next?: string } }>('/login', { config: { dashboard: 'public' } }, async (request, reply) => {
    const next = safeLocalPath(request.query.next);
    if (!dashboard.authEnabled || request.dashboardSession?.user) return reply.redirect(next, 303);
    return dashboard.send(reply, loginPage(dashboard.view(request), { user: '', next }));
  });

  app.post('/login', { config: { dashboard: 'public' } }, async (request, reply) => {
    const next = safeLocalPath(formField(request, 'next'));
    if (!dashboard.authEnabled) return reply.redirect(next, 303);
    const name = formField(request, 'user');
    // Checked as the API checks it, within the same limits on failures per client and per user.
    const outcome = name === '' ? { failed: true as const } : await users.authenticate(request.ip, { kind: 'basic', username: name, password: formField(request, 'password') });
    if ('retryAfter' in outcome) {
      reply.header('retry-after', String(outcome.retryAfter));
      const message = `Too many failed sign-ins from here or for this user: try again in ${outcome.retryAfter} seconds.`;
      return dashboard.send(reply, loginPage(dashboard.view(request), { user: name, next }, message), 429);
    }
    // An agent speaks the agent protocol only; it has no dashboard.
    if ('failed' in outcome || outcome.user.role === 'agent') {
      return dashboard.send(reply, loginPage(dashboard.view(request), { user: name, next }, 'Wrong user name or password.'), 401);
    }
    const { user } = outcome;
    // A new session (new id, new CSRF token) at sign-in: a session id known before cannot be ridden.
    if (request.dashboardSession) sessions.destroy(request.dashboardSession);
    const session = sessions.create({ name: user.name, role: user.role as 'manager' | 'viewer' });
    setSessionCookie(request, reply, sessions, session);
    dashboard.kernel.logger.info(`dashboard: ${user.name} (${user.role}) signed in`);
    return reply.redirect(next, 303);
  });

  app.post('/logout', { config: { dashboard: 'read' } }, async (request, reply) => {
    const session = request.dashboardSession;
    if (session) sessions.destroy(session);
    setSessionCookie(request, reply, sessions, undefined);
    return reply.redirect(dashboard.authEnabled ? '/login' : '/', 303);
  });
}
