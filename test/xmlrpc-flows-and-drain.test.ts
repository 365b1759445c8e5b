/**
 * XML-RPC's flows, batches, dependencies and drain (issues #14, #16), through a listening server:
 * what REST's `after`, `…/flows`, `…/batches` and `/api/workers/{id}/drain` do, as methods.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../plugins/http/auth/hash-token.js';
import { FAULT_CODES } from '../plugins/http/xmlrpc/xmlrpc-fault.js';
import { jobCount, serveHttpTestKernel, type ServedTestKernel } from './helpers/http-test-kernel.js';
import { waitUntil } from './helpers/wait-for.js';
import { callXmlrpc } from './helpers/xmlrpc-over-http.js';

const MANAGER = 'Bearer manager-token-0123456789';
const VIEWER = 'Bearer viewer-token-0123456789';

let served: ServedTestKernel;
const call = (method: string, params: unknown[] = [], authorization = MANAGER) =>
  callXmlrpc(`${served.base}/xmlrpc/@RootTaskService`, method, params, authorization);
const service = () => served.kernel.getService('@RootTaskService');

beforeAll(async () => {
  served = await serveHttpTestKernel({
    http: {
      users: {
        manager: { role: 'manager', tokenHash: hashToken(MANAGER.slice('Bearer '.length)) },
        viewer: { role: 'viewer', tokenHash: hashToken(VIEWER.slice('Bearer '.length)) },
      },
    },
  });
});
afterAll(async () => {
  await served?.close();
});

describe('addWithOptions with after', () => {
  it('adds a job blocked until its parent completed; getDependencies lists both sides', async () => {
    const { value: parent } = await call('add', ['echo', 'first']);
    const { value: child } = await call('addWithOptions', ['echo', 'second', { after: [parent], onParentFailure: 'run', priority: 3 }]);
    expect(child).toEqual(expect.any(Number));
    expect((await call('getStatus', [child])).value).toBe('blocked');
    expect((await served.kernel.store.get(child as number))?.priority).toBe(3);

    const parentSide = (await call('getDependencies', [parent])).value as { children: unknown[] };
    expect(parentSide).toEqual({ parents: [], children: [{ id: child, task: 'echo', status: 'blocked', result: null, error: null }] });

    await service().process();
    expect((await call('getStatus', [child])).value).toBe('completed');
    expect((await call('getDependencies', [child])).value).toEqual({
      parents: [{ id: parent, task: 'echo', status: 'completed', result: 'first', error: null }],
      children: [],
    });
  });

  it('refuses unknown parents, a misspelt member and after with a key, storing nothing', async () => {
    const before = await jobCount(served.kernel);
    expect((await call('addWithOptions', ['echo', null, { after: [987654] }])).fault).toMatchObject({
      faultCode: FAULT_CODES.INVALID_PARAMS,
      faultString: expect.stringMatching(/987654/),
    });
    expect((await call('addWithOptions', ['echo', null, { afer: [1] }])).fault).toMatchObject({
      faultCode: FAULT_CODES.INVALID_PARAMS,
      faultString: expect.stringMatching(/options has no member afer/),
    });
    expect((await call('addWithOptions', ['echo', null, { after: ['one'] }])).fault).toEqual({
      faultCode: FAULT_CODES.INVALID_PARAMS,
      faultString: 'addWithOptions: after must be an <int>, got "one"',
    });
    expect((await call('addWithOptions', ['echo', null, { after: [1], key: 'k' }])).fault).toMatchObject({
      faultCode: FAULT_CODES.INVALID_PARAMS,
      faultString: expect.stringMatching(/takes no startLater and no key/),
    });
    expect((await call('addWithOptions', ['echo', null, { timeout: 0 }])).fault).toMatchObject({ faultCode: FAULT_CODES.INVALID_PARAMS });
    expect(await jobCount(served.kernel)).toBe(before);
  });
});

describe('addFlow', () => {
  it('adds jobs that wait for each other by name and id, in one call, and they run in order', async () => {
    const { value: stored } = await call('add', ['echo', 'stored']);
    const { value: added } = await call('addFlow', [[
      { name: 'fetch', task: 'echo', input: 'fetched' },
      { name: 'resize', task: 'echo', input: 'resized', after: ['fetch', stored], priority: -1 },
      { task: 'echo', after: ['resize'], onParentFailure: 'cancel', timeout: 5_000 },
    ]]);
    expect(added).toEqual([
      { id: expect.any(Number), name: 'fetch', task: 'echo', status: 'queued' },
      { id: expect.any(Number), name: 'resize', task: 'echo', status: 'blocked' },
      { id: expect.any(Number), name: null, task: 'echo', status: 'blocked' },
    ]);
    const [fetchJob, resize, last] = (added as Array<{ id: number }>).map((job) => job.id);
    expect((await call('getDependencies', [resize])).value).toMatchObject({
      parents: expect.arrayContaining([expect.objectContaining({ id: stored }), expect.objectContaining({ id: fetchJob })]),
      children: [expect.objectContaining({ id: last })],
    });
    await service().process();
    expect((await served.kernel.store.get(last))?.status).toBe('completed');
    expect((await served.kernel.store.get(resize))?.started).toBeGreaterThanOrEqual((await served.kernel.store.get(fetchJob))!.completed!);
  });

  it('refuses a name no earlier job has, an unknown task and a misspelt member: nothing is stored', async () => {
    const before = await jobCount(served.kernel);
    expect((await call('addFlow', [[{ task: 'echo' }, { task: 'echo', after: ['later'] }, { name: 'later', task: 'echo' }]])).fault).toMatchObject({
      faultCode: FAULT_CODES.INVALID_PARAMS,
      faultString: expect.stringMatching(/\/jobs\/1\/after names "later", which no earlier job of the flow is called/),
    });
    expect((await call('addFlow', [[{ task: 'echo' }, { task: 'ehco' }]])).fault).toMatchObject({ faultCode: FAULT_CODES.UNKNOWN_TASK });
    expect((await call('addFlow', [[{ task: 'echo', afterr: [] }]])).fault).toEqual({
      faultCode: FAULT_CODES.INVALID_PARAMS,
      faultString: 'addFlow: jobs[0] has no member afterr; it takes name, task, input, priority, timeout, after, onParentFailure',
    });
    expect((await call('addFlow', [[]])).fault).toMatchObject({ faultCode: FAULT_CODES.INVALID_PARAMS });
    expect((await call('addFlow', [{ task: 'echo' }])).fault).toMatchObject({ faultCode: FAULT_CODES.INVALID_PARAMS, faultString: expect.stringMatching(/jobs must be an <array>/) });
    expect(await jobCount(served.kernel)).toBe(before);
  });
});

describe('addBatch and getBatch', () => {
  it('adds jobs and a callback that runs once all ended; getBatch counts them', async () => {
    const { value } = await call('addBatch', [[{ task: 'echo', input: 1 }, { task: 'fail' }], { task: 'echo', input: 'done' }]);
    const added = value as { batchId: number; callbackId: number; ids: number[] };
    expect(added).toEqual({ batchId: expect.any(Number), callbackId: expect.any(Number), ids: [expect.any(Number), expect.any(Number)] });
    expect((await call('getStatus', [added.callbackId])).value).toBe('blocked');
    expect((await call('getBatch', [added.batchId], VIEWER)).value).toMatchObject({ id: added.batchId, service: '@RootTaskService', size: 2, pending: 2, completed: 0 });

    await service().process();
    expect((await call('getStatus', [added.callbackId])).value).toBe('completed');
    const batch = (await call('getBatch', [added.batchId])).value as Record<string, unknown>;
    expect(batch).toMatchObject({ callbackId: added.callbackId, completed: 1, failed: 1, cancelled: 0, pending: 0 });
    expect(new Date(batch.created as string).toISOString()).toBe(batch.created);
  });

  it('answers an unknown batch with fault 9 and a batch without callback with -32602', async () => {
    expect((await call('getBatch', [987654])).fault).toEqual({ faultCode: FAULT_CODES.UNKNOWN_BATCH, faultString: 'batch 987654 does not exist in service @RootTaskService' });
    expect((await call('addBatch', [[{ task: 'echo' }]])).fault).toEqual({ faultCode: FAULT_CODES.INVALID_PARAMS, faultString: 'addBatch takes (jobs, callback), got 1 parameter' });
    expect((await call('addBatch', [[{ task: 'echo' }], 'echo'])).fault).toMatchObject({ faultCode: FAULT_CODES.INVALID_PARAMS, faultString: expect.stringMatching(/callback must be a <struct>/) });
  });
});

describe('listWorkers, drainWorker and undrainWorker', () => {
  it('drains this process and lets it claim again; a viewer lists but may not drain', async () => {
    // A process is listed while it processes; site1@Svc's processor leaves the root service's jobs to the tests above.
    const processing = served.kernel.getService('site1@Svc');
    processing.startProcessing();
    await served.kernel.heartbeat.beat();
    const workers = (await call('listWorkers', [], VIEWER)).value as Array<{ id: string; draining: boolean; pid: number; started: string }>;
    const self = workers.find((worker) => worker.id === served.kernel.workerId);
    expect(self).toMatchObject({ pid: process.pid, draining: false, started: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });

    expect((await call('drainWorker', [served.kernel.workerId], VIEWER)).fault).toMatchObject({ faultCode: FAULT_CODES.FORBIDDEN });
    expect(processing.draining).toBe(false);

    expect((await call('drainWorker', [served.kernel.workerId])).value).toBe(true);
    await waitUntil(() => processing.draining, { what: 'the drain applied to the service' });
    expect(((await call('listWorkers')).value as typeof workers).find((worker) => worker.id === served.kernel.workerId)?.draining).toBe(true);

    expect((await call('undrainWorker', [served.kernel.workerId])).value).toBe(true);
    await waitUntil(() => !processing.draining, { what: 'the undrain applied to the service' });
    await processing.stopProcessing();
  });

  it('answers an unknown process with fault 10, a wrong parameter with -32602', async () => {
    expect((await call('drainWorker', ['nobody'])).fault).toEqual({
      faultCode: FAULT_CODES.UNKNOWN_WORKER,
      faultString: 'no process "nobody" is registered: listWorkers() gives their ids',
    });
    expect((await call('undrainWorker', [7])).fault).toEqual({ faultCode: FAULT_CODES.INVALID_PARAMS, faultString: 'undrainWorker: workerid must be a <string>, got 7' });
    expect((await call('listWorkers', ['x'])).fault).toMatchObject({ faultCode: FAULT_CODES.INVALID_PARAMS });
  });

  it('asks a viewer for a manager on every method that adds', async () => {
    for (const [method, params] of [
      ['addFlow', [[{ task: 'echo' }]]],
      ['addBatch', [[{ task: 'echo' }], { task: 'echo' }]],
      ['addWithOptions', ['echo', null, { after: [1] }]],
      ['undrainWorker', [served.kernel.workerId]],
    ] as const) {
      expect((await call(method, [...params], VIEWER)).fault, method).toMatchObject({ faultCode: FAULT_CODES.FORBIDDEN });
    }
    expect((await call('listMethods', [], VIEWER)).value).toEqual(expect.arrayContaining(['addBatch', 'addFlow', 'drainWorker', 'getBatch', 'getDependencies', 'listWorkers', 'undrainWorker']));
  });
});
