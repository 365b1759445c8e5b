import { JOB_STATUSES, type JobRecord, type JobStatus, type TaskService } from 'remotetask';
import type { DetailRendererRegistry } from '../detail-renderers.js';
import { html, type SafeHtml } from 'remotetask/http';
import { compactTimeElement, formatUtc, percent, relativeTime, siteLabel } from './format.js';
import { formGuard, layout, statusBadge, type ViewContext } from './layout.js';
import { DEFAULT_SORT, jobsUrl, jobUrl, type JobsQuery, PAGE_SIZES, serviceUrl } from './urls.js';

export interface JobsPageData {
  service: TaskService;
  taskNames: string[];
  counts: Record<JobStatus, number>;
  query: JobsQuery;
  jobs: JobRecord[];
  nextCursor: string | null;
  /** Set when the id searched for is not a job of this service. */
  notFound?: number;
}

const COLUMNS: Array<{ key: string; label: string; sortable: boolean; firstDescending?: boolean }> = [
  { key: 'id', label: 'Id', sortable: true, firstDescending: true },
  { key: 'task', label: 'Task', sortable: true },
  { key: 'status', label: 'Status', sortable: true },
  { key: 'detail', label: 'Detail', sortable: false },
  { key: 'created', label: 'Created', sortable: true, firstDescending: true },
  { key: 'started', label: 'Started', sortable: true, firstDescending: true },
  { key: 'completed', label: 'Completed', sortable: true, firstDescending: true },
  { key: 'progress', label: 'Progress', sortable: false },
];

/** What the progress column shows: a bar while running, the next run of a waiting cron or delayed job. */
function progressCell(job: JobRecord, now: number): SafeHtml {
  if (job.status === 'processing') {
    const value = job.progress === null ? html`<progress aria-label="Job ${job.id} running"></progress>` : html`<progress max="100" value="${percent(job.progress)}" aria-label="Job ${job.id} progress"></progress> <span class="progress__value">${percent(job.progress)} %</span>`;
    return html`<div class="progress">${value}${job.progressMessage && html`<span class="progress__message">${job.progressMessage}</span>`}</div>`;
  }
  if ((job.status === 'cronjob' || job.status === 'delayed' || (job.status === 'queued' && job.attempts > 0)) && job.runAt > 0 && job.runAt < 8.64e15) {
    return html`<span class="muted" title="${formatUtc(job.runAt)} UTC">${job.status === 'queued' ? 'retry' : 'next'} ${relativeTime(job.runAt, now)}</span>`;
  }
  if (job.status === 'error' && job.attempts > 1) return html`<span class="muted">${job.attempts} attempts</span>`;
  return html``;
}

/** One row of the jobs table; `id="job-<id>"` lets the live updates replace it. */
export function jobRow(ctx: ViewContext, job: JobRecord, renderers: DetailRendererRegistry): SafeHtml {
  const url = jobUrl(job.service, job.id);
  return html`<tr id="job-${job.id}" data-id="${job.id}" data-status="${job.status}" data-task="${job.task}">
  ${ctx.canWrite && html`<td class="col-select"><input type="checkbox" name="ids" value="${job.id}" form="jobs-form" aria-label="Select job ${job.id}"></td>`}
  <td class="col-id" data-label="Id"><a href="${url}">${job.id}</a></td>
  <td class="col-task" data-label="Task"><code>${job.task}</code></td>
  <td class="col-status" data-label="Status">${statusBadge(job.status)}${job.cancelRequested && job.status === 'processing' ? html` <span class="muted">cancelling…</span>` : ''}</td>
  <td class="col-detail" data-label="Detail"><span class="detail-text">${renderers.detail(job)}</span></td>
  <td class="col-time" data-label="Created">${compactTimeElement(job.created, ctx.now)}</td>
  <td class="col-time" data-label="Started">${compactTimeElement(job.started, ctx.now)}</td>
  <td class="col-time" data-label="Completed">${compactTimeElement(job.completed, ctx.now)}</td>
  <td class="col-progress" data-label="Progress">${progressCell(job, ctx.now)}</td>
</tr>`;
}

function sortHeader(address: string, query: JobsQuery, column: (typeof COLUMNS)[number]): SafeHtml {
  if (!column.sortable) return html`<th scope="col" class="col-${column.key}">${column.label}</th>`;
  const descending = query.sort.startsWith('-');
  const current = descending ? query.sort.slice(1) : query.sort;
  const active = current === column.key;
  const next = active ? (descending ? column.key : `-${column.key}`) : column.firstDescending ? `-${column.key}` : column.key;
  const ariaSort = active ? (descending ? 'descending' : 'ascending') : undefined;
  const arrow = active ? (descending ? '▼' : '▲') : '';
  return html`<th scope="col" class="col-${column.key}"${ariaSort ? html` aria-sort="${ariaSort}"` : ''}><a href="${jobsUrl(address, { ...query, sort: next, cursor: undefined, trail: [] })}" title="Sort by ${column.label.toLowerCase()}">${column.label}${arrow && html` <span aria-hidden="true">${arrow}</span>`}</a></th>`;
}

/** The status counts as links that filter the table; live updates replace it. */
export function statusChips(address: string, counts: Record<JobStatus, number>, query: JobsQuery): SafeHtml {
  const total = JOB_STATUSES.reduce((sum, status) => sum + counts[status], 0);
  const chip = (label: string, value: number, status: JobStatus | undefined) => {
    const active = query.status === status;
    return html`<li><a class="chip${active ? ' chip--active' : ''}${status ? ` chip--${status.replace(' ', '-')}` : ''}" href="${jobsUrl(address, { task: query.task, sort: query.sort, limit: query.limit, status })}"${active ? html` aria-current="true"` : ''}>${label} <b>${value.toLocaleString('en-US')}</b></a></li>`;
  };
  return html`<ul class="chips" id="status-chips" aria-label="Jobs by status">${chip('all', total, undefined)}${JOB_STATUSES.filter((status) => counts[status] > 0 || query.status === status).map((status) => chip(status, counts[status], status))}</ul>`;
}

function filters(data: JobsPageData): SafeHtml {
  const { service, query } = data;
  return html`<form class="filters" method="get" action="${serviceUrl(service.address)}/jobs" data-autosubmit>
  <label>Status <select name="status">
    <option value="">all statuses</option>
    ${JOB_STATUSES.map((status) => html`<option value="${status}"${query.status === status ? ' selected' : ''}>${status}</option>`)}
  </select></label>
  <label>Task <select name="task">
    <option value="">all tasks</option>
    ${[...new Set([...data.taskNames, ...(query.task ? [query.task] : [])])].map((task) => html`<option value="${task}"${query.task === task ? ' selected' : ''}>${task}</option>`)}
  </select></label>
  <label>Per page <select name="limit">${PAGE_SIZES.map((size) => html`<option value="${size}"${query.limit === size ? ' selected' : ''}>${size}</option>`)}</select></label>
  ${query.sort !== DEFAULT_SORT && html`<input type="hidden" name="sort" value="${query.sort}">`}
  <button class="button">Filter</button>
</form>
<form class="find" method="get" action="${serviceUrl(service.address)}/jobs" role="search">
  <label>Find job <input type="search" name="id" inputmode="numeric" pattern="[0-9]*" placeholder="id" size="8" value="${query.id ?? ''}"></label>
  <button class="button">Find</button>
</form>`;
}

function actions(ctx: ViewContext, service: TaskService): SafeHtml {
  if (!ctx.canWrite) return html``;
  const base = serviceUrl(service.address);
  return html`<div class="actions">
  <a class="button button--primary" href="${base}/jobs/new">Add job</a>
  <a class="button" href="${base}/cronjobs/new">Add cron job</a>
  <form method="post" action="${base}/cancel-all" class="inline" data-confirm="Cancel every waiting job of ${service.address} and stop the running ones?">${formGuard(ctx)}<button class="button button--danger">Cancel all</button></form>
  <form method="post" action="${base}/clean" class="inline" data-confirm="Remove every finished job (completed, error, cancelled) of ${service.address}?">${formGuard(ctx)}<button class="button">Remove finished jobs</button></form>
  <form method="post" action="${base}/retry-all-failed" class="inline" data-confirm="Retry every failed job of ${service.address}?">${formGuard(ctx)}<button class="button">Retry all failed</button></form>
</div>`;
}

function pager(data: JobsPageData): SafeHtml {
  const { service, query } = data;
  if (query.id !== undefined) return html`<nav class="pager"><a href="${jobsUrl(service.address)}">Show all jobs</a></nav>`;
  const page = query.trail.length + 1;
  const previous = query.trail.length > 0
    ? jobsUrl(service.address, { ...query, cursor: query.trail[query.trail.length - 1] || undefined, trail: query.trail.slice(0, -1) })
    : undefined;
  const next = data.nextCursor
    ? jobsUrl(service.address, { ...query, cursor: data.nextCursor, trail: [...query.trail, query.cursor ?? ''] })
    : undefined;
  return html`<nav class="pager" aria-label="Pages">
  ${page > 1 ? html`<a href="${jobsUrl(service.address, { ...query, cursor: undefined, trail: [] })}">« First</a>` : html`<span class="muted">« First</span>`}
  ${previous ? html`<a href="${previous}" rel="prev">‹ Previous</a>` : html`<span class="muted">‹ Previous</span>`}
  <span class="pager__page">page ${page}</span>
  ${next ? html`<a href="${next}" rel="next">Next ›</a>` : html`<span class="muted">Next ›</span>`}
</nav>`;
}

/** The rows, the status counts and nothing else: what the live updates fetch. */
export function jobsFragment(ctx: ViewContext, data: Pick<JobsPageData, 'service' | 'counts' | 'query' | 'jobs'>, renderers: DetailRendererRegistry): SafeHtml {
  return html`${statusChips(data.service.address, data.counts, data.query)}<table><tbody>${data.jobs.map((job) => jobRow(ctx, job, renderers))}</tbody></table>`;
}

export function jobsPage(ctx: ViewContext, data: JobsPageData, renderers: DetailRendererRegistry): SafeHtml {
  const { service, query } = data;
  const base = serviceUrl(service.address);
  // New jobs can join the page live only where they belong: the first page, newest first, no id search.
  const acceptsNew = !query.cursor && query.sort === DEFAULT_SORT && query.id === undefined;
  const eventsUrl = `/events?service=${encodeURIComponent(service.address)}`;
  const empty = data.notFound !== undefined
    ? `There is no job ${data.notFound} in ${service.address}.`
    : query.status || query.task ? 'No jobs match the filter.' : 'No jobs yet.';
  const body = html`<div class="page-head">
  <h1>${service.name} <span class="muted">jobs</span></h1>
  ${actions(ctx, service)}
</div>
${statusChips(service.address, data.counts, query)}
<div class="toolbar">${filters(data)}</div>
<p id="new-jobs" class="notice" hidden><a href="${jobsUrl(service.address, { status: query.status, task: query.task, limit: query.limit })}"><span data-count>0</span> new job(s): show the newest</a></p>
${ctx.canWrite && html`<form id="jobs-form" method="post" action="${base}/cancel">${formGuard(ctx)}</form>`}
<div class="table-wrap">
<table class="jobs" id="jobs" data-live="${eventsUrl}" data-rows="${base}/rows" data-accepts-new="${acceptsNew}" data-status="${query.status ?? ''}" data-task="${query.task ?? ''}" data-limit="${query.limit}">
  <caption class="visually-hidden">Jobs of ${service.address}</caption>
  <thead><tr>
    ${ctx.canWrite && html`<th scope="col" class="col-select"><input type="checkbox" data-select-all aria-label="Select all jobs on this page"></th>`}
    ${COLUMNS.map((column) => sortHeader(service.address, query, column))}
  </tr></thead>
  <tbody id="job-rows">${data.jobs.map((job) => jobRow(ctx, job, renderers))}</tbody>
</table>
${data.jobs.length === 0 && html`<p class="empty">${empty}</p>`}
</div>
<div class="table-foot">
  ${ctx.canWrite && html`<button class="button" form="jobs-form">Cancel selected</button> <button class="button" form="jobs-form" formaction="${base}/retry">Retry selected</button>`}
  ${pager(data)}
</div>`;
  return layout(ctx, {
    title: `${service.address} jobs`,
    crumbs: [{ label: 'Overview', href: '/' }, { label: `${siteLabel(service.site.name)} / ${service.name}` }],
    body,
  });
}
