import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../errors/http-error.js';
import type { AuthenticatedUser, HttpUsers } from './http-users.js';
import { parseAuthorization } from './parse-authorization.js';

/**
 * Who may call a route: `public` (anyone, even with users configured), `read` (viewer and manager),
 * `write` (manager), `per-call` (the route checks itself, as XML-RPC does per method), or `agent`
 * (the agent protocol: agent and manager; an agent may use no other route).
 * By default GET and HEAD are `read`, everything else `write`.
 */
export type RouteAccess = 'public' | 'read' | 'write' | 'per-call' | 'agent';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** The authenticated user; undefined when no users are configured (everyone may do everything). */
    user?: AuthenticatedUser;
  }
}

export const AUTH_CHALLENGES = ['Basic realm="remotetask", charset="UTF-8"', 'Bearer realm="remotetask"'];

function unauthorized(message: string): HttpError {
  return new HttpError(401, 'unauthorized', message);
}

/** The answer once a client, or a user name, has failed to sign in too often of late. */
export function tooManyFailures(retryAfter: number): HttpError {
  return new HttpError(429, 'too_many_requests', `too many failed sign-ins from this client or for this user: try again in ${retryAfter} s`, {
    retryAfter,
  });
}

/** Whether the request's user may change things; always true when no users are configured. */
export function mayWrite(request: FastifyRequest, users: HttpUsers): boolean {
  return users.size === 0 || request.user?.role === 'manager';
}

export function forbidden(request: FastifyRequest, what: string): HttpError {
  return new HttpError(403, 'forbidden', `user "${request.user?.name}" is a ${request.user?.role} and may not ${what}; it takes a manager`);
}

/**
 * Checks every request's credentials (HTTP Basic or a bearer token) before its body is read, and
 * the user's role against the route's access. Without users, every request passes. Failures are
 * limited per client address and per user name: past the limit, 429 with `Retry-After`.
 */
export function installAuth(app: FastifyInstance, users: HttpUsers): void {
  app.decorateRequest('user', undefined);
  // Users come from the config and do not change: without any, no request needs the hook.
  if (users.size === 0) return;
  app.addHook('onRequest', async (request, reply) => {
    const access: RouteAccess = request.routeOptions.config.access ?? (request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write');
    if (access === 'public') return;
    const credentials = parseAuthorization(request.headers.authorization);
    if (!credentials) {
      reply.header('www-authenticate', AUTH_CHALLENGES);
      throw unauthorized(
        request.headers.authorization
          ? 'the Authorization header is neither Basic (user:password) nor Bearer (token)'
          : 'authentication required: send HTTP Basic credentials or a bearer token',
      );
    }
    const outcome = await users.authenticate(request.ip, credentials);
    if ('retryAfter' in outcome) {
      reply.header('retry-after', String(outcome.retryAfter));
      throw tooManyFailures(outcome.retryAfter);
    }
    if ('failed' in outcome) {
      reply.header('www-authenticate', AUTH_CHALLENGES);
      throw unauthorized(credentials.kind === 'basic' ? 'wrong user name or password' : 'unknown or revoked token');
    }
    const { user } = outcome;
    request.user = user;
    if ((user.role === 'agent') !== (access === 'agent') && user.role !== 'manager') {
      throw new HttpError(403, 'forbidden', user.role === 'agent'
        ? `user "${user.name}" is an agent and may use only the agent protocol (/api/services/{address}/agents/…)`
        : `user "${user.name}" is a ${user.role} and may not use the agent protocol; it takes an agent or a manager`);
    }
    if (access === 'write' && user.role !== 'manager') {
      throw forbidden(request, `${request.method} ${request.routeOptions.url ?? request.url}`);
    }
  });
}
