import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemotetaskClient, type RemotetaskHttpError } from 'remotetask/client';
import { jobCount, serveHttpTestKernel, type ServedTestKernel } from './helpers/http-test-kernel.js';

// Flows, batches and dependencies over REST, through the client; bad input answered with what
// was wrong, nothing stored.
describe('flows and batches over REST', () => {
  let served: ServedTestKernel;
  let client: RemotetaskClient;
  const post = (path: string, body: unknown) =>
    fetch(`${served.base}/api/services/@RootTaskService${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    served = await serveHttpTestKernel();
    client = new RemotetaskClient({ url: served.base });
  });
  afterAll(async () => {
    await served.close();
  });

  it('adds a flow, runs it in order, and lists a job\'s parents and children', async () => {
    const service = client.service();
    const { jobs } = await service.addFlow([
      { name: 'first', task: 'echo', input: { n: 1 } },
      { name: 'second', task: 'greet', input: { name: 'flow' }, after: ['first'] },
      { task: 'fail', after: ['second'] },
      { task: 'echo', input: { n: 4 }, after: ['second'], onParentFailure: 'run' },
    ]);
    expect(jobs.map((job) => [job.name, job.task, job.status])).toEqual([
      ['first', 'echo', 'queued'], ['second', 'greet', 'blocked'], [null, 'fail', 'blocked'], [null, 'echo', 'blocked'],
    ]);
    expect(await service.job(jobs[1].id)).toMatchObject({ status: 'blocked', batchId: null });
    await served.kernel.getService('@RootTaskService').process();
    expect((await service.jobs({ status: 'completed' })).jobs.map((job) => job.id)).toEqual([jobs[0].id, jobs[1].id, jobs[3].id]);
    const { parents, children } = await service.dependencies(jobs[1].id);
    expect(parents).toEqual([{ id: jobs[0].id, task: 'echo', status: 'completed', result: { n: 1 }, error: null }]);
    expect(children.map((job) => [job.id, job.status])).toEqual([[jobs[2].id, 'error'], [jobs[3].id, 'completed']]);

    const after = await service.add('echo', null, { after: [jobs[2].id] });
    expect(after.status).toBe('cancelled');
    expect((await service.job(after.id)).error).toBe(`cancelled: its parent job ${jobs[2].id} ended error`);
  });

  it('adds a batch and answers its progress; the callback runs once all ended', async () => {
    const service = client.service();
    const added = await service.addBatch([{ task: 'echo' }, { task: 'fail' }, { task: 'echo' }], { task: 'echo', input: 'done' });
    expect(added.ids).toHaveLength(3);
    expect(await service.batch(added.batchId)).toMatchObject({ size: 3, pending: 3, completed: 0, callbackId: added.callbackId });
    await served.kernel.getService('@RootTaskService').process();
    expect(await service.batch(added.batchId)).toMatchObject({ size: 3, pending: 0, completed: 2, failed: 1, cancelled: 0 });
    expect(await service.job(added.callbackId)).toMatchObject({ status: 'completed', result: 'done', batchId: added.batchId });
    await expect(service.batch(987654)).rejects.toMatchObject({ status: 404, code: 'unknown_batch' } satisfies Partial<RemotetaskHttpError>);
  });

  it('refuses unknown parents (422), unknown names and bad shapes (400), storing nothing', async () => {
    const before = await jobCount(served.kernel);
    const unknown = await post('/jobs', { task: 'echo', after: [424242] });
    expect(unknown.status).toBe(422);
    expect(await unknown.json()).toEqual({
      error: { code: 'unknown_parent', message: 'no job 424242 in @RootTaskService to wait for: "after" names jobs of the same service by id', details: { unknown: [424242] } },
    });
    const unnamed = await post('/flows', { jobs: [{ task: 'echo' }, { task: 'echo', after: ['nobody'] }] });
    expect(unnamed.status).toBe(400);
    expect(await unnamed.json()).toMatchObject({ error: { code: 'invalid_flow', message: '/jobs/1/after names "nobody", which no earlier job of the flow is called: list a job after the jobs it waits for' } });
    expect((await post('/flows', { jobs: [{ task: 'echo', after: [{ id: 1 }] }] })).status).toBe(400);
    expect((await post('/flows', { jobs: [] })).status).toBe(400);
    expect((await post('/batches', { jobs: [{ task: 'echo' }] })).status).toBe(400);
    const badInput = await post('/batches', { jobs: [{ task: 'echo' }, { task: 'greet', input: {} }], callback: { task: 'echo' } });
    expect(badInput.status).toBe(422);
    expect(((await badInput.json()) as { error: { details: unknown } }).error.details).toEqual([expect.objectContaining({ path: '/jobs/1/input' })]);
    expect(await jobCount(served.kernel)).toBe(before);
  });
});
