import type { JobStatus, TaskService } from 'remotetask';
import { html, type SafeHtml } from 'remotetask/http';
import type { ThroughputSeries } from '../stats/throughput.js';
import { throughputChart } from './chart.js';
import { siteLabel } from './format.js';
import { formGuard, layout, type ViewContext } from './layout.js';
import { jobsUrl, serviceUrl } from './urls.js';

export interface ServiceSummary {
  service: TaskService;
  counts: Record<JobStatus, number>;
  tasks: Array<{ name: string; description?: string }>;
  throughput: ThroughputSeries;
}

export interface SiteSummary {
  name: string;
  services: ServiceSummary[];
}

const count = (value: number) => value.toLocaleString('en-US');

function processingControl(ctx: ViewContext, service: TaskService): SafeHtml {
  const processing = service.isProcessing();
  const state = html`<span class="state state--${processing ? 'on' : 'off'}">${processing ? 'processing' : 'stopped'}</span>`;
  if (!ctx.canWrite) return state;
  return html`${state}<form method="post" action="${serviceUrl(service.address)}/processing" class="inline">${formGuard(ctx)}
    <input type="hidden" name="action" value="${processing ? 'stop' : 'start'}">
    <button class="button ${processing ? 'button--quiet' : 'button--primary'}" aria-label="${processing ? 'Stop' : 'Start'} processing ${service.address}" title="In this web server's process only; pause every process on the Workers page">${processing ? 'Stop' : 'Start'}</button>
  </form>`;
}

function serviceCard(ctx: ViewContext, summary: ServiceSummary): SafeHtml {
  const { service, counts } = summary;
  const stats: Array<[string, number, JobStatus | undefined]> = [
    ['queued', counts.queued, 'queued'],
    ['running', counts.processing, 'processing'],
    ['completed', counts.completed, 'completed'],
    ['failed', counts.error, 'error'],
    ['cron', counts.cronjob, 'cronjob'],
    ['delayed', counts.delayed, 'delayed'],
    ['start later', counts['start later'], 'start later'],
    ['blocked', counts.blocked, 'blocked'],
  ];
  const processor = service.options.processor === 'multi' ? `multi, up to ${service.options.maxConcurrency} at once` : 'simple, one at a time';
  return html`<article class="card service" id="service-${service.address}" data-address="${service.address}">
  <header class="card__head">
    <div>
      <h3><a href="${jobsUrl(service.address)}">${service.name}</a></h3>
      <p class="muted"><code>${service.address}</code> · ${processor}</p>
    </div>
    <div class="card__control">${processingControl(ctx, service)}</div>
  </header>
  <div class="card__body">
  <div class="card__facts">
  <dl class="stats">
    <div class="stat stat--queue"><dt>queue depth</dt><dd><a href="${jobsUrl(service.address, { status: 'queued' })}">${count(counts.queued)}</a></dd></div>
    ${stats.slice(1).map(([label, value, status]) => html`<div class="stat"><dt>${label}</dt><dd><a href="${jobsUrl(service.address, { status })}">${count(value)}</a></dd></div>`)}
  </dl>
  <details class="tasks" open>
    <summary>${summary.tasks.length} task${summary.tasks.length === 1 ? '' : 's'} available</summary>
    <ul>${summary.tasks.map((task) => html`<li><code>${task.name}</code>${task.description && html` <span class="muted">${task.description}</span>`}</li>`)}</ul>
  </details>
  </div>
  ${throughputChart(summary.throughput, service.address)}
  </div>
  <footer class="card__foot">
    <a class="button" href="${jobsUrl(service.address)}">Jobs</a>
    ${ctx.canWrite && html`<a class="button button--quiet" href="${serviceUrl(service.address)}/jobs/new">Add job</a>
    <a class="button button--quiet" href="${serviceUrl(service.address)}/cronjobs/new">Add cron job</a>`}
  </footer>
</article>`;
}

/** The sites and their services: the part of the overview that refreshes live. */
export function overviewSites(ctx: ViewContext, sites: SiteSummary[]): SafeHtml {
  return html`<div id="sites" data-live="/events" data-refresh="/">
  ${sites.length === 0 && html`<p class="panel muted">No task services are configured: add some under <code>sites</code> in the config.</p>`}
  ${sites.map(
    (site) => html`<section class="site" aria-labelledby="site-${site.name || 'root'}">
    <h2 id="site-${site.name || 'root'}">Site <span class="site__name">${siteLabel(site.name)}</span></h2>
    ${site.services.length === 0
      ? html`<p class="muted">No services of its own.</p>`
      : html`<div class="cards">${site.services.map((summary) => serviceCard(ctx, summary))}</div>`}
  </section>`,
  )}
</div>`;
}

export function overviewPage(ctx: ViewContext, sites: SiteSummary[]): SafeHtml {
  return layout(ctx, {
    title: 'Overview',
    body: html`<h1 class="visually-hidden">Overview</h1>${overviewSites(ctx, sites)}`,
  });
}
