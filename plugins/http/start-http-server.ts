import type { AddressInfo } from 'node:net';
import type { Kernel } from 'remotetask';
import type { Logger } from 'winston';
import { httpUsersOf } from './auth/http-users-of.js';
import { buildHttpApp } from './build-http-app.js';
import type { HttpServer } from './http-server.js';
import { httpOptionsOf } from './http-options.js';
import { resolveHttpSettings } from './http-settings.js';
import { isLoopbackHost } from './is-loopback-host.js';

function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * Builds the web service from the kernel's config and listens on `http.host`:`http.port`. Without
 * users it listens on loopback only: anyone who reaches it may run and cancel jobs.
 */
export async function startHttpServer(kernel: Kernel, logger: Logger = kernel.logger): Promise<HttpServer> {
  const settings = resolveHttpSettings(httpOptionsOf(kernel));
  const users = httpUsersOf(kernel);
  if (users.size === 0 && !isLoopbackHost(settings.host)) {
    throw new Error(
      `refusing to listen on ${settings.host} without users: anyone who can reach it could run and cancel jobs. ` +
        'Add http.users to the config (see docs/http-api.md, `remotetask hash-password`) or listen on 127.0.0.1',
    );
  }
  const app = await buildHttpApp(kernel, { users, logger });
  await app.listen({ host: settings.host, port: settings.port });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${urlHost(settings.host)}:${port}`;
  if (users.size === 0) {
    logger.warn('no users configured (http.users): anyone on this machine may use the API, so it listens on loopback only');
  } else {
    logger.info(`${users.size} user(s) configured: requests need HTTP Basic credentials or a bearer token`);
    for (const warning of users.warnings) logger.warn(warning);
  }
  logger.info(`listening on ${url}`);
  // What a newcomer opens first, among the first lines of the log.
  const dashboard = app.hasRoute({ method: 'GET', url: '/' }) ? `the dashboard at ${url}/, ` : '';
  logger.info(`open ${dashboard}the API docs at ${url}/docs (the OpenAPI document: ${url}/openapi.json)`);
  let closing: Promise<void> | undefined;
  return {
    url,
    app,
    close: () =>
      (closing ??= app.close().then(() => {
        logger.info(`stopped listening on ${url}`);
      })),
  };
}
