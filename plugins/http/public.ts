/**
 * `remotetask/http`: what plugin authors use to extend the web service. Light on purpose — no
 * fastify at run time — so that a plugin loaded by workers too (which serve nothing) can import it.
 *
 * ```ts
 * ctx.contribute(HttpRoutes, (app, kernel) => { app.get('/hello', async () => ({ hello: 'world' })); });
 * ```
 */
export { HttpRoutes, type HttpRouteContribution } from './http-routes.js';
export { HttpError } from './errors/http-error.js';
export { html, escapeHtml, trustedHtml, isSafeHtml, toSafeHtml, SafeHtml, type HtmlValue } from './html/html.js';
export { httpServerOf, HttpServerToken, type HttpServer } from './http-server.js';
export { httpOptionsOf, type HttpOptions, type HttpConfig, type HttpUserConfig, type HttpRole } from './http-options.js';
export { HttpUsers, type AuthenticatedUser, type Authentication } from './auth/http-users.js';
export { httpUsersOf } from './auth/http-users-of.js';
export { tooManyFailures } from './auth/install-auth.js';
export { registerServiceScope, SERVICE_PREFIX } from './routes/service-scope.js';
export { sseStreams, type SseStreams } from './sse/sse-streams.js';
export { answerOf, ERROR_ANSWERS, type CoreErrorAnswer } from './errors/error-answers.js';
export { parseJsonText, JsonTextError, MAX_JSON_DEPTH } from './input/parse-json-text.js';
