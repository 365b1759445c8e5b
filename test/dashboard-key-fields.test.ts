/** The dashboard's add forms take a unique key, how long it holds and what a taken key does. */
import { describe, expect, it } from 'vitest';
import { csrfOf, dashboardTestKernel } from './helpers/dashboard-test-kernel.js';

describe('key fields on the dashboard add forms', () => {
  const booted = dashboardTestKernel(['echo']);

  async function submit(path: string, fields: Record<string, string>) {
    const page = await booted.app.inject(`/services/@RootTaskService${path}/new`);
    expect(page.body).toMatch(/<input id="key" name="key" value="" maxlength="255"/);
    expect(page.body).toMatch(/<select id="keyScope" name="keyScope"><option value="waiting" selected>/);
    expect(page.body).toMatch(/<select id="onKeyTaken" name="onKeyTaken"><option value="keep" selected>/);
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    const response = await booted.app.inject({
      method: 'POST',
      url: `/services/@RootTaskService${path}`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrfOf(page.body), ...fields }).toString(),
    });
    const flash = response.statusCode === 303 ? (await booted.app.inject({ url: String(response.headers.location), headers: { cookie } })).body : '';
    return { response, flash };
  }

  const jobs = async () => (await booted.kernel.store.list({ service: '@RootTaskService', limit: 100 })).jobs;

  it('adds a keyed job; the same key again adds nothing and says which job holds it, or replaces its input', async () => {
    const first = await submit('/jobs', { task: 'echo', input: '1', key: 'report-7', keyScope: 'running', keyPeriod: '', onKeyTaken: 'keep' });
    expect(first.response.statusCode).toBe(303);
    const [job] = await jobs();
    expect(job).toMatchObject({ key: 'report-7', input: 1 });
    expect(first.flash).toContain(`Job ${job.id} added.`);
    const again = await submit('/jobs', { task: 'echo', input: '2', key: 'report-7', keyScope: 'running', onKeyTaken: 'keep' });
    expect(again.flash).toContain(`Job ${job.id} holds the key &quot;report-7&quot;: nothing was added.`);
    const replaced = await submit('/jobs', { task: 'echo', input: '3', key: 'report-7', keyScope: 'running', onKeyTaken: 'replace' });
    expect(replaced.flash).toContain(`Job ${job.id} holds the key &quot;report-7&quot;: it got this input.`);
    expect(await jobs()).toMatchObject([{ id: job.id, input: 3 }]);
    // Taken until an hour after it ended, on a cron job.
    const cron = await submit('/cronjobs', { task: 'echo', input: '', minute: '5', key: 'nightly', keyScope: 'finished', keyPeriod: '3600' });
    expect(cron.response.statusCode).toBe(303);
    expect((await booted.kernel.store.list({ service: '@RootTaskService', status: ['cronjob'] })).jobs[0].key).toBe('nightly');
  });

  it('says what is wrong with each key field and adds nothing', async () => {
    const before = (await jobs()).length;
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ key: 'k'.repeat(256) }, 'key', /A key has at most 255 characters; this one has 256\./],
      [{ key: 'k', keyScope: 'forever' }, 'keyScope', /Choose how long the job holds its key: waiting, running, finished\./],
      [{ key: 'k', keyScope: 'finished', keyPeriod: '' }, 'keyPeriod', /With &quot;until a period after it ended&quot;, give the period: seconds above 0/],
      [{ key: 'k', keyScope: 'finished', keyPeriod: '-5' }, 'keyPeriod', /&quot;-5&quot; is not\./],
      [{ key: 'k', keyScope: 'running', keyPeriod: '60' }, 'keyPeriod', /A period goes with &quot;until a period after it ended&quot; only/],
      [{ key: '', keyPeriod: '60' }, 'keyPeriod', /A period goes with a key: type the key too, or clear the period\./],
      [{ key: 'k', onKeyTaken: 'overwrite' }, 'onKeyTaken', /Choose keep or replace for a taken key\./],
    ];
    for (const [fields, name, message] of cases) {
      const { response } = await submit('/jobs', { task: 'echo', input: '', ...fields });
      expect(response.statusCode).toBe(422);
      expect(response.body).toMatch(message);
      expect(response.body).toContain(`aria-invalid="true" aria-describedby="${name}-error"`);
      expect(response.body).toMatch(new RegExp(`<p class="field-error" id="${name}-error">`));
    }
    expect(await jobs()).toHaveLength(before);
  });
});
