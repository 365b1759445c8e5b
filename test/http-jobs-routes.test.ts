import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Kernel } from '../core/index.js';
import type { JobJson } from '../core/client/index.js';
import { buildHttpApp } from '../plugins/http/index.js';
import { createHttpTestKernel, jobCount } from './helpers/http-test-kernel.js';

let kernel: Kernel;
let app: FastifyInstance;
const ROOT = '/api/services/@RootTaskService';

beforeAll(async () => {
  kernel = await createHttpTestKernel();
  app = await buildHttpApp(kernel);
});
afterAll(async () => {
  await app.close();
  await kernel.close();
});
beforeEach(async () => {
  for (const service of kernel.services()) {
    await service.cancelAll();
    await service.clean();
  }
});

async function addJob(task: string, input: unknown = null, extra: Record<string, unknown> = {}, base = ROOT): Promise<number> {
  const response = await app.inject({ method: 'POST', url: `${base}/jobs`, payload: { task, input, ...extra } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

const getJob = async (id: number, base = ROOT): Promise<JobJson> => (await app.inject(`${base}/jobs/${id}`)).json();

describe('sites and tasks', () => {
  it('lists the sites with their services, processing state and processor kind', async () => {
    kernel.getService('site1@Svc').startProcessing();
    try {
      const response = await app.inject('/api/sites');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        sites: [
          { name: '', services: [{ name: 'RootTaskService', address: '@RootTaskService', site: '', processing: false, processor: 'simple', maxConcurrency: 1 }] },
          { name: 'site1', services: [{ name: 'Svc', address: 'site1@Svc', site: 'site1', processing: true, processor: 'multi', maxConcurrency: 2 }] },
        ],
      });
    } finally {
      await kernel.getService('site1@Svc').stopProcessing();
    }
  });

  it('lists the tasks of a service with their descriptions and input schemas, for @ and %40 alike', async () => {
    const response = await app.inject('/api/services/%40RootTaskService/tasks');
    expect(response.statusCode).toBe(200);
    const { tasks } = response.json();
    expect(tasks.map((task: { name: string }) => task.name)).toEqual(['echo', 'fail', 'greet', 'steps']);
    expect(tasks[0]).toEqual({ name: 'echo', description: 'Returns its input unchanged.', inputSchema: null });
    expect(tasks[2].inputSchema).toMatchObject({ type: 'object', required: ['name'] });
    expect((await app.inject(`${ROOT}/tasks`)).json()).toEqual(response.json());
  });
});

describe('adding and reading jobs', () => {
  it('adds a job: 201 with id, status and a Location header, and the job reads back with ISO times', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/services/%40RootTaskService/jobs', payload: { task: 'echo', input: { foo: 'bar' } } });
    expect(response.statusCode).toBe(201);
    const { id, status } = response.json();
    expect(status).toBe('queued');
    expect(response.headers.location).toBe(`/api/services/@RootTaskService/jobs/${id}`);

    const job = await getJob(id);
    expect(job).toMatchObject({ id, service: '@RootTaskService', task: 'echo', status: 'queued', input: { foo: 'bar' }, result: null, error: null, attempts: 0, progress: null, schedule: null });
    expect(job.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(job.started).toBeNull();
  });

  it('shows result, attempts and times once the job ran, and the error of a failed one', async () => {
    const echo = await addJob('echo', { foo: 'bar' });
    const fail = await addJob('fail');
    await kernel.getService('@RootTaskService').process();
    const done = await getJob(echo);
    expect(done).toMatchObject({ status: 'completed', result: { foo: 'bar' }, attempts: 1 });
    expect(Date.parse(done.completed!)).toBeGreaterThanOrEqual(Date.parse(done.started!));
    expect(await getJob(fail)).toMatchObject({ status: 'error', error: 'this task always fails', result: null });
  });

  it('adds a job to start later, and starts it', async () => {
    const response = await app.inject({ method: 'POST', url: `${ROOT}/jobs`, payload: { task: 'echo', startLater: true } });
    expect(response.json().status).toBe('start later');
    const id = response.json().id;
    const started = await app.inject({ method: 'POST', url: `${ROOT}/jobs/${id}/start` });
    expect(started.statusCode).toBe(200);
    expect(started.json()).toEqual({ id, status: 'queued' });
  });

  it('keeps a job\'s own time limit, and refuses one that is not a whole number of ms', async () => {
    const response = await app.inject({ method: 'POST', url: `${ROOT}/jobs`, payload: { task: 'echo', timeout: 1500 } });
    expect(response.statusCode).toBe(201);
    expect(await getJob(response.json().id)).toMatchObject({ timeout: 1500 });
    const bad = await app.inject({ method: 'POST', url: `${ROOT}/jobs`, payload: { task: 'echo', timeout: 0.5 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/timeout/);
  });

  it('refuses to start a job that is not waiting to be started: 409', async () => {
    const id = await addJob('echo');
    const response = await app.inject({ method: 'POST', url: `${ROOT}/jobs/${id}/start` });
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toMatchObject({ code: 'job_state', details: { status: 'queued' } });
    expect(response.json().error.message).toMatch(/only a job in "start later" can be started/);
  });

  it('keeps the jobs of each service apart', async () => {
    const id = await addJob('echo', null, {}, '/api/services/site1@Svc');
    expect((await app.inject(`${ROOT}/jobs/${id}`)).statusCode).toBe(404);
    expect((await getJob(id, '/api/services/site1@Svc')).service).toBe('site1@Svc');
  });
});

describe('listing jobs', () => {
  it('filters by status (repeated or comma-separated) and task, and pages with a cursor', async () => {
    const ids = [await addJob('echo'), await addJob('echo'), await addJob('greet', { name: 'x' }), await addJob('steps')];
    await app.inject({ method: 'POST', url: `${ROOT}/jobs/${ids[1]}/cancel` });

    const byTask = (await app.inject(`${ROOT}/jobs?task=echo`)).json();
    expect(byTask.jobs.map((job: JobJson) => job.id)).toEqual(ids.slice(0, 2));

    const repeated = (await app.inject(`${ROOT}/jobs?status=cancelled&status=queued`)).json();
    const commas = (await app.inject(`${ROOT}/jobs?status=cancelled,queued`)).json();
    expect(repeated.jobs.length).toBe(4);
    expect(commas).toEqual(repeated);
    expect((await app.inject(`${ROOT}/jobs?status=cancelled`)).json().jobs.map((job: JobJson) => job.id)).toEqual([ids[1]]);

    const first = (await app.inject(`${ROOT}/jobs?limit=3`)).json();
    expect(first.jobs.map((job: JobJson) => job.id)).toEqual(ids.slice(0, 3));
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await app.inject(`${ROOT}/jobs?limit=3&cursor=${encodeURIComponent(first.nextCursor)}`)).json();
    expect(second).toEqual({ jobs: [expect.objectContaining({ id: ids[3] })], nextCursor: null });

    const newestFirst = (await app.inject(`${ROOT}/jobs?sort=-id&limit=2`)).json();
    expect(newestFirst.jobs.map((job: JobJson) => job.id)).toEqual([ids[3], ids[2]]);
  });

  it('says which status it does not know, and refuses a cursor it did not make', async () => {
    const status = await app.inject(`${ROOT}/jobs?status=queued,finished`);
    expect(status.statusCode).toBe(400);
    expect(status.json().error.message).toMatch(/unknown status "finished"; statuses are queued, processing/);
    const cursor = await app.inject(`${ROOT}/jobs?cursor=bogus`);
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json().error).toMatchObject({ code: 'invalid_cursor' });
    const limit = await app.inject(`${ROOT}/jobs?limit=5000`);
    expect(limit.statusCode).toBe(400);
    expect(limit.json().error.message).toMatch(/querystring\/limit must be <= 1000/);
  });
});

describe('cancelling and cleaning', () => {
  it('cancels one job and answers with its new status', async () => {
    const id = await addJob('echo');
    const response = await app.inject({ method: 'POST', url: `${ROOT}/jobs/${id}/cancel` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ id, status: 'cancelled' });
    expect((await getJob(id)).status).toBe('cancelled');
  });

  it('cancels all waiting jobs of a service', async () => {
    await addJob('echo');
    await addJob('echo', null, { startLater: true });
    const other = await addJob('echo', null, {}, '/api/services/site1@Svc');
    const response = await app.inject({ method: 'POST', url: `${ROOT}/jobs/cancel-all` });
    expect(response.json()).toEqual({ cancelled: 2 });
    expect((await getJob(other, '/api/services/site1@Svc')).status).toBe('queued');
  });

  it('cleans the final statuses by default, or the ones named, and refuses waiting statuses', async () => {
    const completed = await addJob('echo');
    await kernel.getService('@RootTaskService').process();
    const cancelled = await addJob('echo');
    await app.inject({ method: 'POST', url: `${ROOT}/jobs/${cancelled}/cancel` });
    const queued = await addJob('echo');

    const refused = await app.inject({ method: 'DELETE', url: `${ROOT}/jobs?status=completed,queued` });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toBe('clean removes only finished jobs (cancelled, error, completed); not "queued"');
    expect(await jobCount(kernel)).toBe(3);

    expect((await app.inject({ method: 'DELETE', url: `${ROOT}/jobs?status=cancelled` })).json()).toEqual({ removed: 1 });
    expect((await app.inject(`${ROOT}/jobs/${cancelled}`)).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `${ROOT}/jobs` })).json()).toEqual({ removed: 1 });
    expect((await app.inject(`${ROOT}/jobs/${completed}`)).statusCode).toBe(404);
    expect((await getJob(queued)).status).toBe('queued');
  });
});

describe('cron and delayed jobs', () => {
  it('adds a cron job from field lists and one from a cron expression', async () => {
    const fields = await app.inject({ method: 'POST', url: `${ROOT}/cronjobs`, payload: { task: 'echo', input: 1, minute: [0, 30], hour: 4 } });
    expect(fields.statusCode).toBe(201);
    expect(fields.json().status).toBe('cronjob');
    expect(fields.headers.location).toBe(`${ROOT}/jobs/${fields.json().id}`);
    const job = await getJob(fields.json().id);
    expect(job.schedule).toEqual({ minute: [0, 30], hour: [4] });
    expect(new Date(job.nextRunAt!).getUTCHours()).toBe(4);

    const cron = await app.inject({ method: 'POST', url: `${ROOT}/cronjobs`, payload: { task: 'echo', cron: '*/15 * * * *', tz: 'Europe/Berlin' } });
    expect(cron.statusCode).toBe(201);
    expect((await getJob(cron.json().id)).schedule).toEqual({ cron: '*/15 * * * *', tz: 'Europe/Berlin' });
  });

  it('adds a delayed job, due delay seconds from now', async () => {
    const before = Date.now();
    const response = await app.inject({ method: 'POST', url: `${ROOT}/cronjobs`, payload: { task: 'echo', delay: 3600 } });
    expect(response.json().status).toBe('delayed');
    const due = Date.parse((await getJob(response.json().id)).nextRunAt!);
    expect(due).toBeGreaterThanOrEqual(before + 3_600_000);
  });

  it('reschedules a cron job with PATCH', async () => {
    const { id } = (await app.inject({ method: 'POST', url: `${ROOT}/cronjobs`, payload: { task: 'echo', hour: [4] } })).json();
    const response = await app.inject({ method: 'PATCH', url: `${ROOT}/jobs/${id}`, payload: { hour: [13], minute: [5] } });
    expect(response.statusCode).toBe(200);
    expect(response.json().schedule).toEqual({ minute: [5], hour: [13] });
    const next = new Date(response.json().nextRunAt);
    expect([next.getUTCHours(), next.getUTCMinutes()]).toEqual([13, 5]);
  });

  it('refuses to reschedule a plain job (409) and a bad schedule (400 with the ScheduleError message)', async () => {
    const plain = await addJob('echo');
    const conflict = await app.inject({ method: 'PATCH', url: `${ROOT}/jobs/${plain}`, payload: { minute: [1] } });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.message).toMatch(/only cron and delayed jobs have a schedule/);

    const { id } = (await app.inject({ method: 'POST', url: `${ROOT}/cronjobs`, payload: { task: 'echo', minute: [1] } })).json();
    const bad = await app.inject({ method: 'PATCH', url: `${ROOT}/jobs/${id}`, payload: { minutes: [1] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toEqual({ code: 'invalid_schedule', message: expect.stringMatching(/unknown key "minutes" \(did you mean "minute"\?\)/) });
    expect((await getJob(id)).schedule).toEqual({ minute: [1] });
  });
});

describe('processing', () => {
  it('starts and stops a service\'s processor', async () => {
    const url = '/api/services/site1@Svc/processing';
    expect((await app.inject({ method: 'POST', url, payload: { action: 'start' } })).json()).toEqual({ processing: true });
    expect(kernel.getService('site1@Svc').isProcessing()).toBe(true);
    expect((await app.inject({ method: 'POST', url, payload: { action: 'stop' } })).json()).toEqual({ processing: false });
    expect(kernel.getService('site1@Svc').isProcessing()).toBe(false);
    const bad = await app.inject({ method: 'POST', url, payload: { action: 'pause' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/body\/action must be equal to one of the allowed values/);
  });
});
