import { describeGate, type HeldBy, type JobAttempt, type JobRecord, type TaskService } from 'remotetask';
import type { DetailRendererRegistry } from '../detail-renderers.js';
import { html, type SafeHtml } from 'remotetask/http';
import { describeSchedule, nextRunTimes } from '../schedule/schedule-form.js';
import { formatDuration, formatInZone, percent, prettyJson, relativeTime, siteLabel, timeElement } from './format.js';
import { formGuard, layout, statusBadge, type ViewContext } from './layout.js';
import { jobsUrl, jobUrl } from './urls.js';
import { attemptsSection } from './attempts-view.js';

const CANCELLABLE = new Set(['queued', 'processing', 'delayed', 'cronjob', 'start later', 'blocked']);

/** A failed or cancelled job that is no cron job: what `retry` takes. */
function retryable(job: JobRecord): boolean {
  return (job.status === 'error' || job.status === 'cancelled') && (job.schedule === null || 'delay' in job.schedule);
}

function jobActions(ctx: ViewContext, job: JobRecord): SafeHtml {
  if (!ctx.canWrite) return html``;
  const url = jobUrl(job.service, job.id);
  return html`<div class="actions">
  ${job.status === 'start later' && html`<form method="post" action="${url}/start" class="inline">${formGuard(ctx)}<button class="button button--primary">Start</button></form>`}
  ${(job.status === 'cronjob' || job.status === 'delayed') && html`<a class="button" href="${url}/schedule">Edit schedule</a>`}
  ${CANCELLABLE.has(job.status) && !job.cancelRequested && html`<form method="post" action="${url}/cancel" class="inline" data-confirm="Cancel job ${job.id}?">${formGuard(ctx)}<button class="button button--danger">Cancel job</button></form>`}
  ${retryable(job) && html`<form method="post" action="${url}/retry" class="inline" data-confirm="Retry job ${job.id}?">${formGuard(ctx)}<button class="button button--primary">Retry</button></form>`}
</div>`;
}

/** The schedule of a cron or delayed job in words, with its next five runs. */
export function scheduleSection(job: JobRecord, now: number): SafeHtml {
  if (!job.schedule) return html``;
  const tz = 'cron' in job.schedule && typeof job.schedule.cron === 'string' ? (job.schedule.tz ?? 'UTC') : 'UTC';
  const waiting = job.status === 'cronjob' || job.status === 'delayed';
  const runs = job.status === 'cronjob' ? nextRunTimes(job.schedule, now, 5) : job.status === 'delayed' ? [job.runAt] : [];
  return html`<section class="panel" aria-labelledby="schedule-title">
  <h2 id="schedule-title">Schedule</h2>
  <p><code class="schedule">${describeSchedule(job.schedule)}</code></p>
  ${waiting && runs.length === 0 && html`<p class="muted">It does not run again within a year.</p>`}
  ${runs.length > 0 && html`<h3>Next ${runs.length === 1 ? 'run' : `${runs.length} runs`}</h3>
  <ol class="next-runs">${runs.map((at) => html`<li>${timeElement(at)} UTC${tz !== 'UTC' && html` <span class="muted">(${formatInZone(at, tz)})</span>`} <span class="muted">${relativeTime(at, now)}</span></li>`)}</ol>`}
</section>`;
}

function field(label: string, value: SafeHtml | string | number | null | undefined): SafeHtml {
  return html`<div><dt>${label}</dt><dd>${value === null || value === undefined || value === '' ? html`<span class="muted">–</span>` : value}</dd></div>`;
}

/** The job's facts, schedule, input, result and error: the part of the page that refreshes live. */
export function jobDetails(
  ctx: ViewContext, job: JobRecord, renderers: DetailRendererRegistry, attempts: readonly JobAttempt[] = [], heldBy: HeldBy | null = null, flow: SafeHtml = html``,
): SafeHtml {
  const gate = describeGate(job.gate);
  const duration = job.started !== null && job.completed !== null && job.completed >= job.started ? formatDuration(job.completed - job.started) : undefined;
  const eventsUrl = `/events?service=${encodeURIComponent(job.service)}&job=${job.id}`;
  return html`<article id="job" data-live="${eventsUrl}" data-refresh="${jobUrl(job.service, job.id)}" data-status="${job.status}">
<div class="page-head">
  <h1>Job ${job.id} <code class="muted">${job.task}</code> ${statusBadge(job.status)}</h1>
  ${jobActions(ctx, job)}
</div>
${job.status === 'processing' && html`<div class="panel progress progress--large">
  ${job.progress === null ? html`<progress aria-label="Running"></progress>` : html`<progress max="100" value="${percent(job.progress)}" aria-label="Progress"></progress> <b>${percent(job.progress)} %</b>`}
  ${job.progressMessage && html`<span class="progress__message">${job.progressMessage}</span>`}
  ${job.cancelRequested && html`<span class="muted">cancelling…</span>`}
</div>`}
<section class="panel detail" aria-labelledby="detail-title"><h2 id="detail-title" class="label">Detail</h2>${renderers.page(job)}</section>
<dl class="facts panel">
  ${field('Task', html`<code>${job.task}</code>`)}
  ${field('Status', statusBadge(job.status))}
  ${field('Attempts', `${job.attempts} of ${job.maxAttempts}`)}
  ${field('Created', timeElement(job.created))}
  ${field('Started', timeElement(job.started))}
  ${field('Completed', timeElement(job.completed))}
  ${field('Ran for', duration)}
  ${(job.status === 'queued' && job.attempts > 0) && field('Retry at', timeElement(job.runAt))}
  ${job.timeout !== null && field('Timeout', formatDuration(job.timeout))}
  ${job.priority !== 0 && field('Priority', `${job.priority} (lower runs first)`)}
  ${job.key !== null && field('Key', html`<code>${job.key}</code>`)}
  ${gate.queue !== null && field('Queue', html`<code>${gate.queue}</code> (one job at a time, in the order added)`)}
  ${gate.limit !== null && field('Limit', html`<code>${gate.limit.name}</code>${gate.limit.partition === undefined ? '' : html` for <code>${JSON.stringify(gate.limit.partition)}</code>`}`)}
  ${heldBy !== null && field('Held back', heldBy.reason)}
  ${job.lockedBy !== null && field('Worker', job.lockedBy)}
</dl>
${flow}
${scheduleSection(job, ctx.now)}
<section class="panel" aria-labelledby="input-title"><h2 id="input-title">Input</h2><pre class="json">${prettyJson(job.input)}</pre></section>
<section class="panel" aria-labelledby="result-title"><h2 id="result-title">Result${job.status === 'cronjob' ? ' of the last run' : ''}</h2>${
  job.result === null || job.result === undefined ? html`<p class="muted">No result.</p>` : html`<pre class="json">${prettyJson(job.result)}</pre>`
}</section>
${job.error !== null && html`<section class="panel panel--error" aria-labelledby="error-title"><h2 id="error-title">Error</h2>
  <p class="error-message">${job.error}</p>
  ${job.errorStack && html`<details open><summary>Stack</summary><pre class="stack">${job.errorStack}</pre></details>`}
</section>`}
${attemptsSection(attempts)}
</article>`;
}

export function jobPage(
  ctx: ViewContext, service: TaskService, job: JobRecord, renderers: DetailRendererRegistry, attempts: readonly JobAttempt[] = [], heldBy: HeldBy | null = null, flow?: SafeHtml,
): SafeHtml {
  return layout(ctx, {
    title: `Job ${job.id}`,
    crumbs: [
      { label: 'Overview', href: '/' },
      { label: `${siteLabel(service.site.name)} / ${service.name}`, href: jobsUrl(service.address) },
      { label: `Job ${job.id}` },
    ],
    body: jobDetails(ctx, job, renderers, attempts, heldBy, flow),
  });
}
