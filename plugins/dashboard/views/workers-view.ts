import type { ProcessRecord } from 'remotetask';
import { html, type SafeHtml } from 'remotetask/http';
import { compactTimeElement, relativeTime } from './format.js';
import { formGuard, layout, type ViewContext } from './layout.js';
import { jobUrl, serviceUrl } from './urls.js';

export interface ServicePause {
  address: string;
  /** When it was paused for every process, or null while it runs. */
  pausedSince: number | null;
}

function pauseRow(ctx: ViewContext, service: ServicePause): SafeHtml {
  const paused = service.pausedSince !== null;
  return html`<tr data-service="${service.address}" data-paused="${String(paused)}"><td>${service.address}</td>
    <td>${paused ? html`paused since ${compactTimeElement(service.pausedSince, ctx.now)}` : 'runs'}</td>
    <td>${ctx.canWrite && html`<form method="post" action="${serviceUrl(service.address)}/pause" class="inline">${formGuard(ctx)}
      <input type="hidden" name="action" value="${paused ? 'resume' : 'pause'}">
      <button class="button ${paused ? 'button--primary' : 'button--quiet'}" aria-label="${paused ? 'Resume' : 'Pause'} ${service.address} everywhere">${paused ? 'Resume' : 'Pause'} everywhere</button></form>`}</td></tr>`;
}

function jobsCell(ctx: ViewContext, process: ProcessRecord): SafeHtml {
  if (process.jobs.length === 0) return html`<span class="muted">idle</span>`;
  return html`<ul class="held-jobs">${process.jobs.map(
    (job) => html`<li><a href="${jobUrl(job.service, job.id)}">${job.id}</a> ${job.task} <span class="muted">${job.service}</span>${
      job.started === null ? '' : html` · since ${compactTimeElement(job.started, ctx.now)}`
    }</li>`,
  )}</ul>`;
}

/** `lost` (stopped beating), `drained` (told to drain, holds no job), `draining`, or `alive`. */
export function processState(process: ProcessRecord): 'lost' | 'drained' | 'draining' | 'alive' {
  if (process.lost) return 'lost';
  if (process.draining) return process.jobs.length === 0 ? 'drained' : 'draining';
  return 'alive';
}

const STATE_BADGE = { lost: 'error', drained: 'cancelled', draining: 'delayed', alive: 'completed' } as const;

/** Runs it ended in the minute before its last beat (its own count, carried by the beat), and in all. */
function throughputCell(process: ProcessRecord): SafeHtml {
  if (!process.finished) return html`<span class="muted">–</span>`;
  return html`<span class="throughput" title="${process.finished.total} runs ended since it started">${process.finished.lastMinute}/min</span>`;
}

function drainForm(ctx: ViewContext, process: ProcessRecord): SafeHtml | false {
  if (!ctx.canWrite || process.lost) return false;
  const action = process.draining ? 'undrain' : 'drain';
  return html`<form method="post" action="/workers/drain" class="inline">${formGuard(ctx)}
      <input type="hidden" name="worker" value="${process.id}"><input type="hidden" name="action" value="${action}">
      <button class="button button--quiet" aria-label="${process.draining ? 'Undrain' : 'Drain'} ${process.host} ${process.pid}">${process.draining ? 'Undrain' : 'Drain'}</button></form>`;
}

function processRow(ctx: ViewContext, process: ProcessRecord): SafeHtml {
  const state = processState(process);
  return html`<tr class="worker worker--${state}" data-worker="${process.id}" data-host="${process.host}" data-state="${state}">
    <td>${process.host}</td>
    <td>${process.pid}</td>
    <td>${process.role}</td>
    <td><span class="badge badge--${STATE_BADGE[state]}">${state}</span></td>
    <td>${process.services.length === 0 ? html`<span class="muted">none</span>` : process.services.map((service) => html`<div>${service.address} × ${service.concurrency}</div>`)}</td>
    <td class="held">${jobsCell(ctx, process)}</td>
    <td class="finished">${throughputCell(process)}</td>
    <td>${compactTimeElement(process.started, ctx.now)}</td>
    <td title="${new Date(process.heartbeat).toISOString()}">${relativeTime(process.heartbeat, ctx.now)}</td>
    <td>${drainForm(ctx, process)}</td>
  </tr>`;
}

/** The registry's table; it refreshes itself every two seconds (htmx polling, no script of its own). */
export function workersTable(ctx: ViewContext, processes: ProcessRecord[], sections: SafeHtml[] = []): SafeHtml {
  return html`<div id="workers" hx-get="/workers" hx-trigger="every 2s" hx-swap="outerHTML">
  ${processes.length === 0
    ? html`<p class="panel muted">No process is registered: start <code>remotetask serve</code> or <code>remotetask worker</code>.</p>`
    : html`<table class="workers"><thead><tr><th>Host</th><th>Pid</th><th>Role</th><th>State</th><th>Services</th><th>Running now</th><th>Ended / min</th><th>Started</th><th>Last beat</th><th></th></tr></thead>
  <tbody>${processes.map((process) => processRow(ctx, process))}</tbody></table>`}
${sections}
</div>`;
}

/** `/workers`: every process of the store's registry, what each runs now and since when. */
export function workersPage(ctx: ViewContext, processes: ProcessRecord[], services: ServicePause[], sections: SafeHtml[] = []): SafeHtml {
  return layout(ctx, {
    title: 'Workers',
    crumbs: [{ label: 'Overview', href: '/' }, { label: 'Workers' }],
    body: html`<section class="panel"><h1>Workers</h1>
<p class="muted">The web servers and workers that serve this store. A process that stops beating for its lease time is shown lost; its jobs go back to the queue when their leases run out. Drain a process to have it finish its jobs and claim none (it shows drained once it holds none: then stop it).</p>
${workersTable(ctx, processes, sections)}</section>
<section class="panel"><h2>Services, fleet-wide</h2>
<p class="muted">A pause holds for every process: none claims the service's jobs, running ones finish. Start / Stop on the overview acts on this web server's process only.</p>
<table class="pauses"><tbody>${services.map((service) => pauseRow(ctx, service))}</tbody></table></section>`,
  });
}
