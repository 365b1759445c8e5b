import type { FastifyInstance } from 'fastify';
import { InvalidInputError, KeyOptionsError, type KeyedInsert, MAX_JOB_ID, type Schedule } from 'remotetask';
import { EMPTY_KEY_FORM } from '../views/key-fields-view.js';
import { type DashboardContext, formField } from '../dashboard-context.js';
import {
  formToSchedule,
  nextRunTimes,
  readScheduleForm,
  ScheduleFormError,
  type ScheduleFormValues,
  scheduleToForm,
} from '../schedule/schedule-form.js';
import {
  addCronJobPage,
  addJobPage,
  editSchedulePage,
  type FormErrors,
  inputErrors,
  type JobFormValues,
  schedulePreview,
  taskHint,
} from '../views/forms-view.js';
import { jobDetails, jobPage } from '../views/job-view.js';
import { flowSection, jobFlowFacts } from '../views/flow-view.js';
import { jobsUrl, jobUrl } from '../views/urls.js';
import { checkJobForm, describeProblem, hasErrors, taskOptions } from './check-job-form.js';

export interface AddressParams {
  address: string;
}
export interface JobParams extends AddressParams {
  id: number;
}

export const jobParams = {
  params: {
    type: 'object',
    required: ['address', 'id'],
    properties: { address: { type: 'string' }, id: { type: 'integer', minimum: 1, maximum: MAX_JOB_ID } },
  },
} as const;

const EMPTY_JOB_FORM: JobFormValues = { task: '', input: '', startLater: false, priority: '', ...EMPTY_KEY_FORM };

function readJobForm(get: (name: string) => string): JobFormValues {
  return {
    task: get('task'), input: get('input'), startLater: get('startLater') !== '', priority: get('priority').trim(),
    key: get('key'), keyScope: get('keyScope'), keyPeriod: get('keyPeriod').trim(), onKeyTaken: get('onKeyTaken'),
  };
}

/** What the flash says about an add with a key: a new job, or the one holding the key. */
function keyedFlash(what: string, { job, outcome }: KeyedInsert, suffix = ''): string {
  if (outcome === 'existing') return `Job ${job.id} holds the key "${job.key}": nothing was added.`;
  if (outcome === 'replaced') return `Job ${job.id} holds the key "${job.key}": it got this input${'delay' in (job.schedule ?? {}) || job.status === 'cronjob' ? ' and schedule' : ''}.`;
  return `${what} ${job.id} added${suffix}.`;
}

/** The schedule of the form, or the errors by field. */
function checkSchedule(values: ScheduleFormValues, now: number): { schedule?: Schedule; errors: FormErrors } {
  try {
    return { schedule: formToSchedule(values, now), errors: {} };
  } catch (error) {
    if (!(error instanceof ScheduleFormError)) throw error;
    return { errors: error.field ? { schedule: { [error.field]: error.message } } : { form: error.message } };
  }
}

function preview(values: ScheduleFormValues, now: number) {
  try {
    const schedule = formToSchedule(values, now);
    const tz = 'cron' in schedule && typeof schedule.cron === 'string' ? (schedule.tz ?? 'UTC') : 'UTC';
    return schedulePreview({ times: nextRunTimes(schedule, now, 5), tz }, now);
  } catch (error) {
    if (!(error instanceof ScheduleFormError)) throw error;
    return schedulePreview({ error: error.message }, now);
  }
}

/**
 * A job's page and its actions (cancel, start, edit the schedule), and the forms that add jobs
 * and cron jobs with their live helpers (input check, task hint, schedule preview).
 */
export function registerJobRoutes(app: FastifyInstance, dashboard: DashboardContext): void {
  const { kernel } = dashboard;

  // --- one job -------------------------------------------------------------------------------

  app.get<{ Params: JobParams }>('/jobs/:id', { schema: jobParams }, async (request, reply) => {
    const { service } = request;
    const [job, attempts] = await Promise.all([service.getJob(request.params.id), service.getAttempts(request.params.id)]);
    const ctx = dashboard.view(request);
    // Why a waiting job of a limit or queue waits: read only for such jobs.
    const heldBy = job.gate == null ? null : await service.heldBy(job.id);
    const flow = flowSection(job, await jobFlowFacts(service, job));
    const page = request.headers['hx-request'] === 'true'
      ? jobDetails(ctx, job, dashboard.renderers, attempts, heldBy, flow)
      : jobPage(ctx, service, job, dashboard.renderers, attempts, heldBy, flow);
    return dashboard.send(reply, page);
  });

  app.post<{ Params: JobParams }>('/jobs/:id/cancel', { schema: jobParams }, async (request, reply) => {
    const { service } = request;
    const status = await service.cancel(request.params.id);
    dashboard.flash(request, status === 'processing' ? `Job ${request.params.id} was asked to stop.` : `Job ${request.params.id} is ${status}.`);
    return dashboard.back(request, reply, jobUrl(service.address, request.params.id));
  });

  app.post<{ Params: JobParams }>('/jobs/:id/start', { schema: jobParams }, async (request, reply) => {
    const { service } = request;
    await service.startJob(request.params.id);
    dashboard.flash(request, `Job ${request.params.id} started.`);
    return dashboard.back(request, reply, jobUrl(service.address, request.params.id));
  });

  // The forms are a manager's: a viewer could not send them anyway.
  const formPage = { dashboard: 'write' } as const;

  app.get<{ Params: JobParams }>('/jobs/:id/schedule', { schema: jobParams, config: formPage }, async (request, reply) => {
    const { service } = request;
    const job = await service.getJob(request.params.id);
    const values = scheduleToForm(job.schedule);
    const ctx = dashboard.view(request);
    return dashboard.send(reply, editSchedulePage(ctx, service, job, values, preview(values, ctx.now)));
  });

  app.post<{ Params: JobParams }>('/jobs/:id/schedule', { schema: jobParams }, async (request, reply) => {
    const { service } = request;
    const job = await service.getJob(request.params.id);
    const values = readScheduleForm((name) => formField(request, name));
    const now = kernel.clock();
    const { schedule, errors } = checkSchedule(values, now);
    if (!schedule) {
      const ctx = dashboard.view(request);
      return dashboard.send(reply, editSchedulePage(ctx, service, job, values, preview(values, now), errors), 422);
    }
    await service.updateCronJob(job.id, schedule);
    dashboard.flash(request, `The schedule of job ${job.id} was saved.`);
    return reply.redirect(jobUrl(service.address, job.id), 303);
  });

  // --- adding jobs ---------------------------------------------------------------------------

  app.get<{ Params: AddressParams; Querystring: { task?: string } }>('/jobs/new', { config: formPage }, async (request, reply) => {
    const { service } = request;
    const values = { ...EMPTY_JOB_FORM, task: request.query.task ?? '' };
    return dashboard.send(reply, addJobPage(dashboard.view(request), service, taskOptions(service), values));
  });

  app.post<{ Params: AddressParams }>('/jobs', async (request, reply) => {
    const { service } = request;
    const values = readJobForm((name) => formField(request, name));
    const { errors, input, priority, keyOptions } = checkJobForm(service, values);
    if (!hasErrors(errors)) {
      try {
        const added = await service.addOrFind(values.task, input, { startLater: values.startLater, priority, ...keyOptions });
        dashboard.flash(request, keyedFlash('Job', added, values.startLater ? ': it waits in "start later"' : ''));
        return reply.redirect(jobsUrl(service.address), 303);
      } catch (error) {
        if (error instanceof KeyOptionsError) errors.form = error.message;
        else if (error instanceof InvalidInputError) errors.input = error.problems.map(describeProblem);
        else throw error;
      }
    }
    return dashboard.send(reply, addJobPage(dashboard.view(request), service, taskOptions(service), values, errors), 422);
  });

  /** The input's problems as the user types (htmx): POST, as the input may be long. */
  app.post<{ Params: AddressParams }>('/jobs/check', async (request, reply) => {
    const { service } = request;
    const values = readJobForm((name) => formField(request, name));
    if (values.task === '') return dashboard.send(reply, inputErrors(undefined));
    const { errors } = checkJobForm(service, values);
    return dashboard.send(reply, inputErrors(errors.input, !errors.task));
  });

  app.get<{ Params: AddressParams; Querystring: { task?: string } }>('/task-hint', async (request, reply) => {
    const { service } = request;
    return dashboard.send(reply, taskHint(taskOptions(service).find((task) => task.name === request.query.task)));
  });

  app.get<{ Params: AddressParams; Querystring: { task?: string } }>('/cronjobs/new', { config: formPage }, async (request, reply) => {
    const { service } = request;
    const values = { ...EMPTY_JOB_FORM, task: request.query.task ?? '' };
    const schedule = readScheduleForm(() => undefined);
    const ctx = dashboard.view(request);
    return dashboard.send(reply, addCronJobPage(ctx, service, taskOptions(service), values, schedule, preview(schedule, ctx.now)));
  });

  app.post<{ Params: AddressParams }>('/cronjobs', async (request, reply) => {
    const { service } = request;
    const values = readJobForm((name) => formField(request, name));
    const scheduleValues = readScheduleForm((name) => formField(request, name));
    const now = kernel.clock();
    const checked = checkJobForm(service, values);
    const { schedule, errors: scheduleErrors } = checkSchedule(scheduleValues, now);
    const errors: FormErrors = { ...checked.errors, ...scheduleErrors };
    if (schedule && !hasErrors(errors)) {
      try {
        const added = await service.addCronJobOrFind(values.task, checked.input, schedule, { priority: checked.priority, ...checked.keyOptions });
        dashboard.flash(request, keyedFlash('delay' in schedule ? 'Delayed job' : 'Cron job', added));
        return reply.redirect(jobUrl(service.address, added.job.id), 303);
      } catch (error) {
        if (error instanceof KeyOptionsError) errors.form = error.message;
        else if (error instanceof InvalidInputError) errors.input = error.problems.map(describeProblem);
        else throw error;
      }
    }
    const ctx = dashboard.view(request);
    return dashboard.send(reply, addCronJobPage(ctx, service, taskOptions(service), values, scheduleValues, preview(scheduleValues, now), errors), 422);
  });

  app.get<{ Params: AddressParams; Querystring: Record<string, string> }>('/schedule-preview', async (request, reply) => {
    const values = readScheduleForm((name) => request.query[name]);
    return dashboard.send(reply, preview(values, kernel.clock()));
  });
}
