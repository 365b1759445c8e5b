import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DashboardError } from '../dashboard-error.js';
import { parseCookies, serializeCookie } from './cookies.js';
import type { Session, SessionStore } from './session-store.js';

export const SESSION_COOKIE = 'remotetask_session';

/**
 * Who may use a dashboard route: `public` (anyone: the sign-in page), `asset` (anyone, and no
 * session is made for it), `read` (any signed-in user), `write` (a manager). By default GET is
 * `read` and everything else `write`. Without users configured, everyone may do everything.
 */
export type DashboardAccess = 'public' | 'asset' | 'read' | 'write';

declare module 'fastify' {
  interface FastifyContextConfig {
    dashboard?: DashboardAccess;
  }
  interface FastifyRequest {
    /** The dashboard session of the request (made on the first page view when none is sent). */
    dashboardSession?: Session;
  }
}

export interface SessionOptions {
  sessions: SessionStore;
  /** Whether users are configured: then every route but `public` ones needs a signed-in session. */
  authEnabled: boolean;
}

const isSafe = (method: string) => method === 'GET' || method === 'HEAD';

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, sessions: SessionStore, session: Session | undefined): void {
  const secure = request.protocol === 'https';
  reply.header(
    'set-cookie',
    session ? serializeCookie(SESSION_COOKIE, sessions.cookieValue(session), { secure }) : serializeCookie(SESSION_COOKIE, '', { secure, maxAge: 0 }),
  );
}

/** The CSRF token a request sends: the `x-csrf-token` header (htmx) or the `_csrf` form field. */
function sentCsrfToken(request: FastifyRequest): unknown {
  const header = request.headers['x-csrf-token'];
  if (typeof header === 'string') return header;
  return request.body instanceof URLSearchParams ? request.body.get('_csrf') : undefined;
}

/**
 * The dashboard's own authentication, in its encapsulated context: its routes are `public` to
 * the http plugin's HTTP Basic/bearer check, and are checked here against a session cookie
 * instead. Every POST must carry the session's CSRF token; a viewer's POST is refused (403).
 */
export function installSession(app: FastifyInstance, { sessions, authEnabled }: SessionOptions): void {
  app.decorateRequest('dashboardSession', undefined);
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: 'public' };
  });

  app.addHook('onRequest', async (request, reply) => {
    const access: DashboardAccess = request.routeOptions.config.dashboard ?? (isSafe(request.method) ? 'read' : 'write');
    if (access === 'asset') return;
    let session = sessions.fromCookie(parseCookies(request.headers.cookie).get(SESSION_COOKIE));
    // A page view without a session gets one: it holds the CSRF token of the forms on the page.
    if (!session && isSafe(request.method) && (!authEnabled || access === 'public')) {
      session = sessions.create();
      setSessionCookie(request, reply, sessions, session);
    }
    request.dashboardSession = session;
    if (session?.user) request.user = session.user;
    if (access === 'public' || !authEnabled) return;

    if (!session?.user) {
      if (!isSafe(request.method)) throw new DashboardError(403, 'Sign in first: your session has ended or you never signed in.');
      const login = `/login?next=${encodeURIComponent(request.url)}`;
      if (request.headers['hx-request']) {
        reply.header('hx-redirect', login).code(204).send();
      } else if (request.headers.accept === 'text/event-stream') {
        reply.code(401).type('text/plain; charset=utf-8').send('sign in first');
      } else {
        reply.redirect(login, 303);
      }
      return reply;
    }
    if (access === 'write' && session.user.role !== 'manager') {
      throw new DashboardError(403, `User "${session.user.name}" is a ${session.user.role} and may only look; changing things takes a manager.`);
    }
  });

  app.addHook('preHandler', async (request) => {
    if (isSafe(request.method)) return;
    const session = request.dashboardSession;
    if (!session || !sessions.checkCsrf(session, sentCsrfToken(request))) {
      throw new DashboardError(
        403,
        'This form has expired or did not come from this dashboard (its CSRF token is missing or wrong). Reload the page and try again.',
      );
    }
  });
}
