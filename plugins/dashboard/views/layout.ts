import type { JobStatus } from 'remotetask';
import { html, type SafeHtml } from 'remotetask/http';
import type { Role } from '../session/session-store.js';

/** What every page needs to know about the request it answers. */
export interface ViewContext {
  /** The session's CSRF token: every form sends it back. */
  csrfToken: string;
  /** The signed-in user; undefined when no users are configured (the dashboard is open). */
  user?: { name: string; role: Role };
  /** Whether users are configured (sign-in needed); without, the dashboard is open on loopback. */
  authEnabled: boolean;
  /** Whether buttons that change things are shown (manager, or an open dashboard). */
  canWrite: boolean;
  flash?: { kind: 'ok' | 'error'; text: string };
  /** The path and query of this page, to come back to after an action. */
  here: string;
  now: number;
  /** The id of the last job event before this request read anything: its live updates start there. */
  eventsSince: string;
  assets: AssetUrls;
}

export interface AssetUrls {
  css: string;
  js: string;
  htmx: string;
  icon: string;
}

export interface Crumb {
  label: string;
  href?: string;
}

export interface PageOptions {
  title: string;
  crumbs?: Crumb[];
  body: SafeHtml;
}

/** The hidden fields of every form that changes something: the CSRF token and where to come back to. */
export function formGuard(ctx: ViewContext, back = ctx.here): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}"><input type="hidden" name="_back" value="${back}">`;
}

/** A job status as a coloured badge. */
export function statusBadge(status: JobStatus): SafeHtml {
  return html`<span class="badge badge--${status.replace(/\s+/g, '-')}">${status}</span>`;
}

function crumbs(list: Crumb[]): SafeHtml {
  if (list.length === 0) return html``;
  return html`<nav class="crumbs" aria-label="Breadcrumbs"><ol>${list.map(
    (crumb) => html`<li>${crumb.href ? html`<a href="${crumb.href}">${crumb.label}</a>` : html`<span aria-current="page">${crumb.label}</span>`}</li>`,
  )}</ol></nav>`;
}

function userBox(ctx: ViewContext): SafeHtml {
  if (ctx.authEnabled && !ctx.user) return html``;
  if (!ctx.user) return html`<span class="user user--open" title="No users are configured: this dashboard is open to anyone who can reach it (loopback only)">open access</span>`;
  return html`<div class="user">
    <span class="user__name">${ctx.user.name}</span> <span class="role role--${ctx.user.role}">${ctx.user.role}</span>
    <form method="post" action="/logout" class="inline">${formGuard(ctx, '/')}<button class="button button--quiet">Sign out</button></form>
  </div>`;
}

/** The whole page: head, top bar, breadcrumbs, the flash message and the body. */
export function layout(ctx: ViewContext, page: PageOptions): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}'>
<title>${page.title} · remotetask</title>
<link rel="icon" href="${ctx.assets.icon}" type="image/svg+xml">
<link rel="stylesheet" href="${ctx.assets.css}">
<script src="${ctx.assets.htmx}" defer></script>
<script src="${ctx.assets.js}" defer></script>
</head>
<body hx-headers='${JSON.stringify({ 'x-csrf-token': ctx.csrfToken })}' data-events-since="${ctx.eventsSince}">
<header class="topbar">
  <a class="brand" href="/"><img src="${ctx.assets.icon}" alt="" width="22" height="22"> remotetask</a>
  <a class="nav-link" href="/workers">Workers</a>
  <span class="live" id="live" data-state="off" title="Live updates">live</span>
  ${userBox(ctx)}
</header>
<main class="page">
${crumbs(page.crumbs ?? [])}
${ctx.flash && html`<p class="flash flash--${ctx.flash.kind}" role="status">${ctx.flash.text}</p>`}
${page.body}
</main>
</body>
</html>`;
}

/** A page for an error: what went wrong and a way back. */
export function errorPage(ctx: ViewContext, status: number, message: string): SafeHtml {
  const title = status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : status >= 500 ? 'Server error' : 'Cannot do that';
  return layout(ctx, {
    title,
    body: html`<section class="panel error-page"><h1>${title}</h1><p class="error-message">${message}</p><p><a href="/">Back to the overview</a></p></section>`,
  });
}
