/** The dashboard's add forms take a priority, and a job's page shows it. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../core/index.js';
import { httpServerOf } from '../plugins/http/index.js';
import { captureLog } from './helpers/capture-log.js';
import { httpTestTasks } from './helpers/http-test-kernel.js';

const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)![1];

describe('priority on the dashboard', () => {
  let kernel: Kernel;
  let app: FastifyInstance;

  beforeAll(async () => {
    kernel = await createKernel(
      {
        store: { kind: 'memory' },
        plugins: ['echo', httpTestTasks, 'http', 'dashboard'],
        sites: { '': { services: { RootTaskService: {} } } },
        http: { port: 0 },
      },
      { autostart: false, logger: captureLog().logger },
    );
    app = httpServerOf(kernel)!.app;
  });
  afterAll(async () => {
    await httpServerOf(kernel)?.close();
    await kernel.close();
  });

  async function submit(path: string, fields: Record<string, string>) {
    const page = await app.inject(`/services/@RootTaskService${path}/new`);
    expect(page.body).toMatch(/<input id="priority" name="priority" type="number"/);
    return app.inject({
      method: 'POST',
      url: `/services/@RootTaskService${path}`,
      headers: { cookie: String(page.headers['set-cookie']).split(';')[0], 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrfOf(page.body), ...fields }).toString(),
    });
  }

  it('adds a job and a cron job with the priority typed, and shows it on the job page', async () => {
    expect((await submit('/jobs', { task: 'echo', input: '1', priority: '-4' })).statusCode).toBe(303);
    const [job] = (await kernel.store.list({ service: '@RootTaskService' })).jobs;
    expect(job.priority).toBe(-4);
    const page = await app.inject(`/services/@RootTaskService/jobs/${job.id}`);
    expect(page.body).toContain('-4 (lower runs first)');
    expect((await submit('/cronjobs', { task: 'echo', input: '', minute: '5', priority: '9' })).statusCode).toBe(303);
    expect((await kernel.store.list({ service: '@RootTaskService', status: ['cronjob'] })).jobs[0].priority).toBe(9);
  });

  it('an empty priority is 0; one out of range is shown as the field\'s error, nothing added', async () => {
    expect((await submit('/jobs', { task: 'echo', input: '', priority: '' })).statusCode).toBe(303);
    const before = (await kernel.store.list({ service: '@RootTaskService', sort: '-id' })).jobs;
    expect(before[0].priority).toBe(0);
    const refused = await submit('/jobs', { task: 'echo', input: '', priority: '99999' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('A priority is a whole number from -32768 to 32767 (lower runs first); &quot;99999&quot; is not.');
    expect((await kernel.store.list({ service: '@RootTaskService' })).jobs).toHaveLength(before.length);
  });
});
