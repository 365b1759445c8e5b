import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, definePlugin, type Kernel, SimpleTask } from '../core/index.js';
import { captureLog } from './helpers/capture-log.js';
import { serveHttpTestKernel, type ServedTestKernel } from './helpers/http-test-kernel.js';
import { waitUntil } from './helpers/wait-for.js';

describe('priorities on a simple processor', () => {
  let dir: string;
  let kernel: Kernel;
  const ran: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'remotetask-priorities-'));
    const recorder = definePlugin({
      name: 'priority-recorder',
      register(ctx) {
        ctx.addTask('record', new SimpleTask((input: { name: string }) => {
          ran.push(input.name);
          return input.name;
        }));
      },
    });
    kernel = await createKernel(
      {
        store: { kind: 'sqlite', path: join(dir, 'jobs.sqlite') },
        plugins: [recorder],
        sites: { '': { services: { Queue: { processor: 'simple' } } } },
      },
      { autostart: false, logger: captureLog().logger },
    );
  });
  afterAll(async () => {
    await kernel.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs 10 high-priority jobs queued after 100 low ones first, each priority first come first served', async () => {
    const service = kernel.getService('@Queue');
    await service.addMany('record', Array.from({ length: 100 }, (_, index) => ({ name: `low-${index}` })), { priority: 10 });
    for (let index = 0; index < 10; index += 1) await service.add('record', { name: `high-${index}` }, { priority: -10 });
    service.startProcessing();
    await waitUntil(() => ran.length === 110, { timeout: 30_000, what: 'all 110 jobs to run', detail: () => ran.join(' ') });
    expect(ran.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, index) => `high-${index}`));
    expect(ran.slice(10)).toEqual(Array.from({ length: 100 }, (_, index) => `low-${index}`));
  });
});

describe('priorities through REST and XML-RPC', () => {
  let served: ServedTestKernel;
  const api = (path: string) => `${served.base}/api/services/@RootTaskService${path}`;
  const send = (method: string, path: string, body: unknown) =>
    fetch(api(path), { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    served = await serveHttpTestKernel();
  });
  afterAll(async () => {
    await served.close();
  });

  it('adds a job with a priority, shows it, and changes it while the job waits', async () => {
    const added = await send('POST', '/jobs', { task: 'echo', input: 1, priority: -3 });
    expect(added.status).toBe(201);
    const { id } = (await added.json()) as { id: number };
    expect(await (await fetch(api(`/jobs/${id}`))).json()).toMatchObject({ id, priority: -3 });
    const changed = await send('PUT', `/jobs/${id}/priority`, { priority: 5 });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ id, status: 'queued', priority: 5 });
    const plain = (await (await send('POST', '/jobs', { task: 'echo' })).json()) as { id: number };
    expect(await (await fetch(api(`/jobs/${plain.id}`))).json()).toMatchObject({ priority: 0 });
  });

  it('refuses a priority out of range or not an integer, and a change once the job finished', async () => {
    for (const priority of [32768, -32769, 1.5, '1']) {
      const answer = await send('POST', '/jobs', { task: 'echo', priority });
      expect(answer.status).toBe(400);
      expect(JSON.stringify(await answer.json())).toMatch(/priority/);
    }
    const { id } = (await (await send('POST', '/jobs', { task: 'echo' })).json()) as { id: number };
    await served.kernel.getService('@RootTaskService').cancel(id);
    const late = await send('PUT', `/jobs/${id}/priority`, { priority: 1 });
    expect(late.status).toBe(409);
    expect(JSON.stringify(await late.json())).toMatch(/only a waiting job's priority can change/);
  });

  it('adds a cron job with a priority', async () => {
    const added = await send('POST', '/cronjobs', { task: 'echo', minute: [5], priority: 7 });
    expect(added.status).toBe(201);
    const { id } = (await added.json()) as { id: number };
    expect(await (await fetch(api(`/jobs/${id}`))).json()).toMatchObject({ status: 'cronjob', priority: 7 });
  });

  it('adds with options and changes a priority over XML-RPC', async () => {
    const xml = (method: string, params: string) =>
      fetch(`${served.base}/xmlrpc/@RootTaskService`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params}</params></methodCall>`,
      }).then((response) => response.text());
    const added = await xml(
      'addWithOptions',
      '<param><value><string>echo</string></value></param><param><value><int>3</int></value></param>' +
        '<param><value><struct><member><name>priority</name><value><int>-2</int></value></member></struct></value></param>',
    );
    const id = Number(/<int>(\d+)<\/int>/.exec(added)![1]);
    expect((await served.kernel.store.get(id))?.priority).toBe(-2);
    expect(await xml('setPriority', `<param><value><int>${id}</int></value></param><param><value><int>4</int></value></param>`)).toMatch(/<boolean>1<\/boolean>/);
    expect((await served.kernel.store.get(id))?.priority).toBe(4);
    const bad = await xml('setPriority', `<param><value><int>${id}</int></value></param><param><value><int>40000</int></value></param>`);
    expect(bad).toMatch(/priority must be from -32768 to 32767/);
    const unknownOption = await xml(
      'addWithOptions',
      '<param><value><string>echo</string></value></param><param><value><nil/></value></param><param><value><struct><member><name>urgent</name><value><boolean>1</boolean></value></member></struct></value></param>',
    );
    expect(unknownOption).toMatch(/options has no member urgent/);
  });
});
