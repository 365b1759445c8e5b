import { definePlugin } from 'remotetask';
import { HttpRoutes, type HttpRouteContribution } from 'remotetask/http';
import { type DashboardOptions, registerDashboard } from './register-dashboard.js';

export {
  DetailRenderers,
  DetailRendererRegistry,
  defaultDetail,
  type DetailRenderer,
  type RenderedDetail,
} from './detail-renderers.js';
export { html, escapeHtml, trustedHtml, isSafeHtml, SafeHtml, type HtmlValue } from 'remotetask/http';
export { registerDashboard, type DashboardOptions } from './register-dashboard.js';

/**
 * The web dashboard: overview, jobs tables, job pages and the forms that manage them, served by
 * the http plugin's server at `/`, behind the same users. `remotetask serve` loads it with http.
 * Options: `sessionSecret` (signs session cookies; random per process by default).
 */
export default definePlugin({
  name: 'dashboard',
  version: '1.0.0',
  dependencies: ['http'],
  options: {
    schema: { type: 'object', additionalProperties: false, properties: { sessionSecret: { description: 'a string; unset (undefined) falls back to REMOTETASK_DASHBOARD_SECRET' } } },
  },
  register(ctx) {
    const options: DashboardOptions = {
      sessionSecret: typeof ctx.options.sessionSecret === 'string' ? ctx.options.sessionSecret : process.env.REMOTETASK_DASHBOARD_SECRET,
    };
    const routes: HttpRouteContribution = (app, kernel) => registerDashboard(app, kernel, options);
    ctx.contribute(HttpRoutes, routes);
  },
});
