import { definePlugin } from 'remotetask';
import { CliCommands } from 'remotetask/cli';
import { hashPasswordCommand } from './cli/hash-password-command.js';
import { serveCommand } from './cli/serve-command.js';
import { httpOptionsSpec } from './http-options.js';
import { HttpUsersToken } from './auth/http-users-of.js';
import { type HttpServerSlot, HttpServerToken } from './http-server.js';
import { startHttpServer } from './start-http-server.js';

export * from './public.js';
export { buildHttpApp, type HttpAppOptions } from './build-http-app.js';
export { startHttpServer } from './start-http-server.js';
export { hashPassword } from './auth/hash-password.js';
export { hashToken, generateToken } from './auth/hash-token.js';
export { verifyPassword } from './auth/verify-password.js';
export { withWebService } from './cli/serve-command.js';

/**
 * The web service: REST + SSE + XML-RPC + metrics on `http.host`:`http.port`, started at boot and
 * closed when the kernel begins to close. Its options are the config's `http` key. It brings the
 * CLI's `serve` (which loads it even when the config does not name it) and `hash-password`.
 */
export default definePlugin({
  name: 'http',
  version: '1.0.0',
  options: httpOptionsSpec,
  register(ctx) {
    const slot: HttpServerSlot = {};
    ctx.provide(HttpServerToken, slot);
    ctx.provide(HttpUsersToken, {});
    ctx.contribute(CliCommands, serveCommand);
    ctx.contribute(CliCommands, hashPasswordCommand);
    ctx.on('bootstrap', async (kernel) => {
      slot.server = await startHttpServer(kernel, ctx.logger);
    });
    // No new requests (nor jobs) once closing begins: before the processors stop.
    ctx.on('stopping', async () => {
      await slot.server?.close();
    });
  },
});
