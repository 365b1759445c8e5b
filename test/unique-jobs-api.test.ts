import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemotetaskClient } from '../core/client/index.js';
import { jobCount, serveHttpTestKernel, type ServedTestKernel } from './helpers/http-test-kernel.js';
import { runCli } from './helpers/run-process.js';

describe('unique jobs through REST, the client, XML-RPC and the CLI', () => {
  let served: ServedTestKernel;
  const api = (path: string) => `${served.base}/api/services/@RootTaskService${path}`;
  const post = (path: string, body: unknown) =>
    fetch(api(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    served = await serveHttpTestKernel();
  });
  afterAll(async () => {
    await served.close();
  });

  it('201 for a new keyed job, 200 with the job holding the key; replace changes its input while it waits', async () => {
    const first = await post('/jobs', { task: 'echo', input: 1, key: 'report-7', startLater: true });
    expect(first.status).toBe(201);
    const created = (await first.json()) as { id: number; outcome: string };
    expect(created).toMatchObject({ status: 'start later', outcome: 'created' });
    const again = await post('/jobs', { task: 'echo', input: 2, key: 'report-7' });
    expect(again.status).toBe(200);
    expect(again.headers.get('location')).toBe(`/api/services/@RootTaskService/jobs/${created.id}`);
    expect(await again.json()).toEqual({ id: created.id, status: 'start later', outcome: 'existing' });
    const replaced = await post('/jobs', { task: 'echo', input: 3, key: 'report-7', onKeyTaken: 'replace' });
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ id: created.id, outcome: 'replaced' });
    expect(await (await fetch(api(`/jobs/${created.id}`))).json()).toMatchObject({ key: 'report-7', input: 3 });
  });

  it('a keyed cron job is added once', async () => {
    const body = { task: 'echo', cron: '0 3 * * *', key: 'nightly' };
    expect((await post('/cronjobs', body)).status).toBe(201);
    const second = await post('/cronjobs', body);
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ status: 'cronjob', outcome: 'existing' });
  });

  it('refuses key options that do not fit together, saying why, and stores nothing', async () => {
    const before = await jobCount(served.kernel);
    for (const [body, why] of [
      [{ task: 'echo', keyScope: 'running' }, /go with a key/],
      [{ task: 'echo', key: 'a', keyPeriod: 60 }, /keyPeriod \(seconds after the job ended\) goes with keyScope/],
      [{ task: 'echo', key: 'a', keyScope: 'finished' }, /keyPeriod \(seconds after the job ended\) goes with keyScope/],
      [{ task: 'echo', key: '' }, /key/],
      [{ task: 'echo', key: 'a', keyScope: 'forever' }, /keyScope/],
      [{ task: 'echo', key: 'a', onKeyTaken: 'merge' }, /onKeyTaken/],
    ] as const) {
      const answer = await post('/jobs', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(await answer.json())).toMatch(why);
    }
    expect(await jobCount(served.kernel)).toBe(before);
  });

  it('the client and the CLI say which job holds a key; XML-RPC adds with one', async () => {
    const service = new RemotetaskClient({ url: served.base }).service('@RootTaskService');
    const made = await service.add('echo', null, { key: 'client-1', startLater: true, keyScope: 'running' });
    expect(made.outcome).toBe('created');
    expect(await service.add('echo', null, { key: 'client-1' })).toMatchObject({ id: made.id, outcome: 'existing' });
    const cli = await runCli(['add', 'echo', '--key', 'client-1', '--url', served.base]);
    expect(cli).toMatchObject({ code: 0, stdout: `${made.id}\n` });
    const xml = await fetch(`${served.base}/xmlrpc/@RootTaskService`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: '<?xml version="1.0"?><methodCall><methodName>addWithOptions</methodName><params><param><value><string>echo</string></value></param>' +
        '<param><value><nil/></value></param><param><value><struct><member><name>key</name><value><string>client-1</string></value></member></struct></value></param></params></methodCall>',
    });
    expect(await xml.text()).toContain(`<int>${made.id}</int>`);
  });
});
