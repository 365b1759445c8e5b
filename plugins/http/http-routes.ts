import type { FastifyInstance } from 'fastify';
import type { Kernel, Token } from 'remotetask';

/**
 * The extension point for HTTP routes: `ctx.contribute(HttpRoutes, (app, kernel) => { app.get(…) })`.
 * Each contribution gets its own encapsulated fastify context, behind the same authentication
 * and error handling as the built-in routes.
 */
export type HttpRouteContribution = (app: FastifyInstance, kernel: Kernel) => void | Promise<void>;

export const HttpRoutes: Token<HttpRouteContribution> = Symbol.for('remotetask.http.routes');
