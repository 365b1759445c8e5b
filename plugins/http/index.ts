import { definePlugin } from 'remotetask';
import { type HttpServer, rememberHttpServer } from './http-server.js';
import { startHttpServer } from './start-http-server.js';

export { HttpRoutes, type HttpRouteContribution } from './http-routes.js';
export { httpServerOf, type HttpServer } from './http-server.js';
export { buildHttpApp, type HttpAppOptions } from './build-http-app.js';
export { startHttpServer } from './start-http-server.js';
export { HttpError } from './errors/http-error.js';
export { parseJsonText, JsonTextError, MAX_JSON_DEPTH } from './input/parse-json-text.js';
export { hashPassword } from './auth/hash-password.js';
export { hashToken, generateToken } from './auth/hash-token.js';
export { verifyPassword } from './auth/verify-password.js';
export { HttpUsers, type AuthenticatedUser } from './auth/http-users.js';

/**
 * The web service: REST + SSE + XML-RPC + metrics on `http.host`:`http.port`, started at boot and
 * closed with the kernel. `remotetask serve` loads it even when the config does not name it.
 */
export default definePlugin({
  name: 'http',
  version: '1.0.0',
  register(ctx) {
    let server: HttpServer | undefined;
    ctx.on('bootstrap', async (kernel) => {
      server = await startHttpServer(kernel, ctx.logger);
      rememberHttpServer(kernel, server);
    });
    ctx.on('close', async () => {
      await server?.close();
    });
  },
});
