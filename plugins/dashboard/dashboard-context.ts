import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kernel } from 'remotetask';
import type { HttpUsers } from 'remotetask/http';
import type { DetailRendererRegistry } from './detail-renderers.js';
import type { SafeHtml } from 'remotetask/http';
import type { SessionStore } from './session/session-store.js';
import type { Throughput } from './stats/throughput.js';
import type { AssetUrls, ViewContext } from './views/layout.js';
import { safeLocalPath } from './views/urls.js';

/** What every dashboard route works with. */
export class DashboardContext {
  constructor(
    readonly kernel: Kernel,
    readonly users: HttpUsers,
    readonly sessions: SessionStore,
    readonly renderers: DetailRendererRegistry,
    readonly throughput: Throughput,
    readonly assets: AssetUrls,
  ) {}

  get authEnabled(): boolean {
    return this.users.size > 0;
  }

  /** Whether the request may change things: a manager, or anyone when no users are configured. */
  canWrite(request: FastifyRequest): boolean {
    return !this.authEnabled || request.dashboardSession?.user?.role === 'manager';
  }

  /**
   * What a view needs of the request. A full page shows (and so uses up) the session's flash
   * message; a fragment fetched by a live update (htmx) leaves it for the next page.
   */
  view(request: FastifyRequest): ViewContext {
    const session = request.dashboardSession;
    const fragment = request.headers['hx-request'] === 'true';
    const flash = fragment ? undefined : session?.flash;
    if (session && !fragment) session.flash = undefined;
    return {
      csrfToken: session?.csrfToken ?? '',
      user: session?.user,
      authEnabled: this.authEnabled,
      canWrite: this.canWrite(request),
      flash,
      here: request.url,
      now: this.kernel.clock(),
      eventsSince: request.dashboardEventsSince ?? this.kernel.events.lastId(),
      assets: this.assets,
    };
  }

  send(reply: FastifyReply, page: SafeHtml, statusCode = 200): FastifyReply {
    return reply.code(statusCode).type('text/html; charset=utf-8').send(page.value);
  }

  /** Leaves a message for the next page of the session (the seed's status messages). */
  flash(request: FastifyRequest, text: string, kind: 'ok' | 'error' = 'ok'): void {
    if (request.dashboardSession) request.dashboardSession.flash = { kind, text };
  }

  /** Redirects after an action (303: the browser GETs the page): to the form's `_back`, else `fallback`. */
  back(request: FastifyRequest, reply: FastifyReply, fallback: string): FastifyReply {
    const body = request.body instanceof URLSearchParams ? request.body : undefined;
    return reply.redirect(safeLocalPath(body?.get('_back'), fallback), 303);
  }
}

/** A form field of a urlencoded body ('' when absent). */
export function formField(request: FastifyRequest, name: string): string {
  return request.body instanceof URLSearchParams ? (request.body.get(name) ?? '') : '';
}

/** Every value of a repeated form field. */
export function formFields(request: FastifyRequest, name: string): string[] {
  return request.body instanceof URLSearchParams ? request.body.getAll(name) : [];
}
