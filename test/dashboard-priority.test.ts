/** The dashboard's add forms take a priority, and a job's page shows it. */
import { describe, expect, it } from 'vitest';
import { csrfOf, dashboardTestKernel } from './helpers/dashboard-test-kernel.js';
import { httpTestTasks } from './helpers/http-test-kernel.js';

describe('priority on the dashboard', () => {
  const booted = dashboardTestKernel(['echo', httpTestTasks]);

  async function submit(path: string, fields: Record<string, string>) {
    const page = await booted.app.inject(`/services/@RootTaskService${path}/new`);
    expect(page.body).toMatch(/<input id="priority" name="priority" type="number"/);
    return booted.app.inject({
      method: 'POST',
      url: `/services/@RootTaskService${path}`,
      headers: { cookie: String(page.headers['set-cookie']).split(';')[0], 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrfOf(page.body), ...fields }).toString(),
    });
  }

  it('adds a job and a cron job with the priority typed, and shows it on the job page', async () => {
    expect((await submit('/jobs', { task: 'echo', input: '1', priority: '-4' })).statusCode).toBe(303);
    const [job] = (await booted.kernel.store.list({ service: '@RootTaskService' })).jobs;
    expect(job.priority).toBe(-4);
    const page = await booted.app.inject(`/services/@RootTaskService/jobs/${job.id}`);
    expect(page.body).toContain('-4 (lower runs first)');
    expect((await submit('/cronjobs', { task: 'echo', input: '', minute: '5', priority: '9' })).statusCode).toBe(303);
    expect((await booted.kernel.store.list({ service: '@RootTaskService', status: ['cronjob'] })).jobs[0].priority).toBe(9);
  });

  it('an empty priority is 0; one out of range is shown as the field\'s error, nothing added', async () => {
    expect((await submit('/jobs', { task: 'echo', input: '', priority: '' })).statusCode).toBe(303);
    const before = (await booted.kernel.store.list({ service: '@RootTaskService', sort: '-id' })).jobs;
    expect(before[0].priority).toBe(0);
    const refused = await submit('/jobs', { task: 'echo', input: '', priority: '99999' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('A priority is a whole number from -32768 to 32767 (lower runs first); &quot;99999&quot; is not.');
    expect((await booted.kernel.store.list({ service: '@RootTaskService' })).jobs).toHaveLength(before.length);
  });
});
