import { MAX_PRIORITY, MIN_PRIORITY } from 'remotetask';
import type { JobRecord, TaskService } from 'remotetask';
import { html, type SafeHtml } from 'remotetask/http';
import {
  FIELD_NAMES,
  FIELDS,
  type ScheduleFormValues,
  type ScheduleMode,
  describeSchedule,
} from '../schedule/schedule-form.js';
import { formatInZone, prettyJson, relativeTime, siteLabel, timeElement } from './format.js';
import { formGuard, layout, type ViewContext } from './layout.js';
import { jobsUrl, jobUrl, serviceUrl } from './urls.js';
import { keyFields, type KeyFormErrors, type KeyFormValues } from './key-fields-view.js';

export interface TaskOption {
  name: string;
  description?: string;
  inputSchema?: unknown;
}

/** Problems of a submitted form, by field. */
export interface FormErrors {
  task?: string;
  priority?: string;
  /** The input's problems: a JSON syntax error, or each schema problem with its path. */
  input?: string[];
  schedule?: Partial<Record<keyof ScheduleFormValues, string>>;
  key?: KeyFormErrors;
  /** A problem of the form as a whole. */
  form?: string;
}

export interface JobFormValues extends KeyFormValues {
  task: string;
  input: string;
  startLater: boolean;
  /** As typed; empty for the default (0). */
  priority: string;
}

/** The input field's problems, or that the input fits: what the live check swaps in. */
export function inputErrors(problems: string[] | undefined, checked = false): SafeHtml {
  if (problems && problems.length > 0) {
    return html`<div id="input-errors" class="field-errors" aria-live="polite"><ul>${problems.map((problem) => html`<li>${problem}</li>`)}</ul></div>`;
  }
  return html`<div id="input-errors" class="field-errors" aria-live="polite">${checked ? html`<p class="field-ok">The input fits the task's schema.</p>` : ''}</div>`;
}

/** The chosen task's description and input schema. */
export function taskHint(task: TaskOption | undefined): SafeHtml {
  if (!task) return html`<div id="task-hint" class="hint"></div>`;
  return html`<div id="task-hint" class="hint">
  ${task.description && html`<p>${task.description}</p>`}
  ${task.inputSchema === undefined
    ? html`<p class="muted">It takes any JSON input.</p>`
    : html`<details><summary>Input schema</summary><pre class="json">${prettyJson(task.inputSchema)}</pre></details>`}
</div>`;
}

function taskAndInput(service: TaskService, tasks: TaskOption[], values: JobFormValues, errors: FormErrors): SafeHtml {
  const base = serviceUrl(service.address);
  const chosen = tasks.find((task) => task.name === values.task);
  return html`<div class="field${errors.task ? ' field--error' : ''}">
  <label for="task">Task</label>
  <select id="task" name="task" required hx-get="${base}/task-hint" hx-target="#task-hint" hx-swap="outerHTML" hx-trigger="change"${errors.task ? html` aria-invalid="true" aria-describedby="task-error"` : ''}>
    <option value="">choose a task…</option>
    ${tasks.map((task) => html`<option value="${task.name}"${task.name === values.task ? ' selected' : ''}>${task.name}</option>`)}
  </select>
  ${errors.task && html`<p class="field-error" id="task-error">${errors.task}</p>`}
</div>
${taskHint(chosen)}
<div class="field${errors.input?.length ? ' field--error' : ''}">
  <label for="input">Input <span class="muted">(JSON; empty for none)</span></label>
  <textarea id="input" name="input" rows="7" spellcheck="false" autocomplete="off" aria-describedby="input-errors"${errors.input?.length ? html` aria-invalid="true"` : ''}
    hx-post="${base}/jobs/check" hx-trigger="input changed delay:400ms, change from:#task" hx-include="#task, #input" hx-target="#input-errors" hx-swap="outerHTML">${values.input}</textarea>
  ${inputErrors(errors.input)}
</div>
<div class="field${errors.priority ? ' field--error' : ''}">
  <label for="priority">Priority <span class="muted">(lower runs first; empty for 0)</span></label>
  <input id="priority" name="priority" type="number" step="1" min="${MIN_PRIORITY}" max="${MAX_PRIORITY}" value="${values.priority}"${errors.priority ? html` aria-invalid="true" aria-describedby="priority-error"` : ''}>
  ${errors.priority && html`<p class="field-error" id="priority-error">${errors.priority}</p>`}
</div>
${keyFields(values, errors.key)}`;
}

export function addJobPage(ctx: ViewContext, service: TaskService, tasks: TaskOption[], values: JobFormValues, errors: FormErrors = {}): SafeHtml {
  const base = serviceUrl(service.address);
  return layout(ctx, {
    title: `Add a job to ${service.address}`,
    crumbs: [{ label: 'Overview', href: '/' }, { label: `${siteLabel(service.site.name)} / ${service.name}`, href: jobsUrl(service.address) }, { label: 'Add job' }],
    body: html`<h1>Add a job <span class="muted">to ${service.address}</span></h1>
<form method="post" action="${base}/jobs" class="panel form" id="add-job" novalidate>
  ${formGuard(ctx, jobsUrl(service.address))}
  ${errors.form && html`<p class="flash flash--error">${errors.form}</p>`}
  ${taskAndInput(service, tasks, values, errors)}
  <label class="check"><input type="checkbox" name="startLater" value="1"${values.startLater ? ' checked' : ''}> Start later <span class="muted">(waits in "start later" until someone starts it)</span></label>
  <div class="form__buttons"><button class="button button--primary">Add job</button> <a class="button button--quiet" href="${jobsUrl(service.address)}">Back</a></div>
</form>`,
  });
}

/** The next runs of the schedule being typed, or what is wrong with it. */
export function schedulePreview(result: { times: number[]; tz: string } | { error: string }, now: number): SafeHtml {
  if ('error' in result) {
    return html`<section id="schedule-preview" class="preview preview--error" aria-live="polite"><h2>Next runs</h2><p>${result.error}</p></section>`;
  }
  return html`<section id="schedule-preview" class="preview" aria-live="polite"><h2>Next runs</h2>${
    result.times.length === 0
      ? html`<p>It would not run within a year.</p>`
      : html`<ol class="next-runs">${result.times.map((at) => html`<li>${timeElement(at)} UTC${result.tz !== 'UTC' && html` <span class="muted">(${formatInZone(at, result.tz)})</span>`} <span class="muted">${relativeTime(at, now)}</span></li>`)}</ol>`
  }</section>`;
}

let timeZoneOptions: SafeHtml | undefined;
function timeZones(): SafeHtml {
  timeZoneOptions ??= html`${Intl.supportedValuesOf('timeZone').map((zone) => html`<option value="${zone}">`)}`;
  return timeZoneOptions;
}

function scheduleFields(service: TaskService, values: ScheduleFormValues, modes: ScheduleMode[], errors: FormErrors['schedule'] = {}): SafeHtml {
  const modeLabels: Record<ScheduleMode, string> = { fields: 'Field lists', cron: 'Cron expression', delay: 'Once, after a delay' };
  const input = (name: keyof ScheduleFormValues, label: SafeHtml | string, hint: string, attributes: SafeHtml = html``) => html`<div class="field${errors[name] ? ' field--error' : ''}">
    <label for="schedule-${name}">${label}</label>
    <input id="schedule-${name}" name="${name}" value="${values[name]}" autocomplete="off" spellcheck="false" aria-describedby="schedule-${name}-hint"${errors[name] ? html` aria-invalid="true"` : ''}${attributes}>
    <p class="hint" id="schedule-${name}-hint">${hint}</p>
    ${errors[name] && html`<p class="field-error">${errors[name]}</p>`}
  </div>`;
  return html`<div id="schedule-fields" hx-get="${serviceUrl(service.address)}/schedule-preview" hx-trigger="input delay:300ms, change" hx-include="#schedule-fields" hx-target="#schedule-preview" hx-swap="outerHTML">
  ${modes.length > 1
    ? html`<fieldset class="modes"><legend>When it runs</legend>${modes.map(
      (mode) => html`<label class="check"><input type="radio" name="mode" value="${mode}" id="mode-${mode}"${values.mode === mode ? ' checked' : ''}> ${modeLabels[mode]}</label>`,
    )}</fieldset>`
    : html`<input type="hidden" name="mode" value="${modes[0]}">`}
  ${modes.includes('fields') && html`<fieldset class="mode mode--fields"${modes.length === 1 ? ' data-only' : ''}><legend>Field lists <span class="muted">(UTC; <code>*</code> means every value; 0,30 · 9-17 · */15)</span></legend>
    <div class="field-grid">${FIELD_NAMES.map((name) => input(name, FIELDS[name].label, FIELDS[name].hint))}</div>
  </fieldset>`}
  ${modes.includes('cron') && html`<fieldset class="mode mode--cron"${modes.length === 1 ? ' data-only' : ''}><legend>Cron expression</legend>
    <div class="field-grid">
      ${input('cron', 'Expression', 'minute hour day-of-month month day-of-week, e.g. */15 9-17 * * MON-FRI', html` placeholder="*/15 9-17 * * MON-FRI"`)}
      ${input('tz', 'Time zone', 'an IANA time zone, e.g. Europe/Berlin', html` list="time-zones"`)}
    </div>
    <datalist id="time-zones">${timeZones()}</datalist>
  </fieldset>`}
  ${modes.includes('delay') && html`<fieldset class="mode mode--delay"${modes.length === 1 ? ' data-only' : ''}><legend>Delay</legend>
    ${input('delay', 'Seconds', 'runs once, this many seconds after it is added', html` inputmode="decimal"`)}
  </fieldset>`}
</div>`;
}

export function addCronJobPage(
  ctx: ViewContext,
  service: TaskService,
  tasks: TaskOption[],
  values: JobFormValues,
  schedule: ScheduleFormValues,
  preview: SafeHtml,
  errors: FormErrors = {},
): SafeHtml {
  const base = serviceUrl(service.address);
  return layout(ctx, {
    title: `Add a cron job to ${service.address}`,
    crumbs: [{ label: 'Overview', href: '/' }, { label: `${siteLabel(service.site.name)} / ${service.name}`, href: jobsUrl(service.address) }, { label: 'Add cron job' }],
    body: html`<h1>Add a cron job <span class="muted">to ${service.address}</span></h1>
<form method="post" action="${base}/cronjobs" class="panel form" id="cron-form" novalidate>
  ${formGuard(ctx, jobsUrl(service.address))}
  ${errors.form && html`<p class="flash flash--error">${errors.form}</p>`}
  ${taskAndInput(service, tasks, values, errors)}
  ${scheduleFields(service, schedule, ['fields', 'cron', 'delay'], errors.schedule)}
  ${preview}
  <div class="form__buttons"><button class="button button--primary">Add cron job</button> <a class="button button--quiet" href="${jobsUrl(service.address)}">Back</a></div>
</form>`,
  });
}

export function editSchedulePage(
  ctx: ViewContext,
  service: TaskService,
  job: JobRecord,
  schedule: ScheduleFormValues,
  preview: SafeHtml,
  errors: FormErrors = {},
): SafeHtml {
  const url = jobUrl(service.address, job.id);
  const modes: ScheduleMode[] = job.status === 'delayed' ? ['delay'] : ['fields', 'cron'];
  return layout(ctx, {
    title: `Schedule of job ${job.id}`,
    crumbs: [
      { label: 'Overview', href: '/' },
      { label: `${siteLabel(service.site.name)} / ${service.name}`, href: jobsUrl(service.address) },
      { label: `Job ${job.id}`, href: url },
      { label: 'Schedule' },
    ],
    body: html`<h1>Schedule of job ${job.id} <code class="muted">${job.task}</code></h1>
<p>Now: <code class="schedule">${describeSchedule(job.schedule)}</code></p>
<form method="post" action="${url}/schedule" class="panel form" id="cron-form" novalidate>
  ${formGuard(ctx, url)}
  ${errors.form && html`<p class="flash flash--error">${errors.form}</p>`}
  ${scheduleFields(service, schedule, modes, errors.schedule)}
  ${preview}
  <div class="form__buttons"><button class="button button--primary">Save schedule</button> <a class="button button--quiet" href="${url}">Back</a></div>
</form>`,
  });
}

export function loginPage(ctx: ViewContext, values: { user: string; next: string }, error?: string): SafeHtml {
  return layout(ctx, {
    title: 'Sign in',
    body: html`<form method="post" action="/login" class="panel form login" novalidate>
  <h1>Sign in</h1>
  ${error && html`<p class="flash flash--error" role="alert">${error}</p>`}
  <input type="hidden" name="_csrf" value="${ctx.csrfToken}">
  <input type="hidden" name="next" value="${values.next}">
  <div class="field"><label for="user">User name</label><input id="user" name="user" autocomplete="username" required value="${values.user}" autofocus></div>
  <div class="field"><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required></div>
  <div class="form__buttons"><button class="button button--primary">Sign in</button></div>
</form>`,
  });
}
