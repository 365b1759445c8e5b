import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKernel, definePlugin, type Kernel, SimpleTask, TaskError } from '../core/index.js';
import { captureLog } from './helpers/capture-log.js';
import { waitUntil } from './helpers/wait-for.js';

// Flows on a SQLite kernel with a multi processor: the order the jobs ran in, what a child reads
// of its parents, and what a failure does down the flow.
describe('flows and batches on a service', () => {
  let dir: string;
  let kernel: Kernel;
  const log: string[] = [];
  const parentsSeen = new Map<string, unknown[]>();
  const batchSeen: unknown[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'remotetask-flows-'));
    const steps = definePlugin({
      name: 'flow-steps',
      register(ctx) {
        ctx.addTask('step', new SimpleTask(async (input: { name: string; fail?: boolean }, context) => {
          log.push(`start ${input.name}`);
          parentsSeen.set(input.name, (await context.parents()).map((parent) => [parent.task, parent.status, parent.result]));
          // Let the other runs of the same stage start, so that an order that is not enforced shows.
          await new Promise((resolve) => setImmediate(resolve));
          log.push(`end ${input.name}`);
          if (input.fail) throw new TaskError(`${input.name} failed`);
          return `${input.name} done`;
        }, { maxAttempts: 1 }));
        ctx.addTask('tally', new SimpleTask(async (_input: unknown, context) => {
          batchSeen.push(await context.batch());
          return 'tallied';
        }));
      },
    });
    kernel = await createKernel(
      {
        store: { kind: 'sqlite', path: join(dir, 'jobs.sqlite') },
        plugins: [steps],
        sites: { '': { services: { Flows: { processor: 'multi', maxConcurrency: 4 } } } },
      },
      { autostart: false, logger: captureLog().logger },
    );
    kernel.getService('@Flows').startProcessing();
  });
  afterAll(async () => {
    await kernel.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    log.length = 0;
  });

  const convertFlow = (failing?: string) => ({
    jobs: [
      { name: 'convert', task: 'step', input: { name: 'convert' } },
      ...['thumbnail', 'preview', 'waveform'].map((name) => ({ name, task: 'step', input: { name, fail: name === failing }, after: ['convert'] })),
      { task: 'step', input: { name: 'notify' }, after: ['thumbnail', 'preview', 'waveform'] },
    ],
  });

  it('runs a flow of 1 → 3 → 1 jobs in dependency order; a child reads its parents\' results', async () => {
    const service = kernel.getService('@Flows');
    const added = await service.addFlow(convertFlow());
    expect(added.map((job) => [job.name, job.status])).toEqual([
      ['convert', 'queued'], ['thumbnail', 'blocked'], ['preview', 'blocked'], ['waveform', 'blocked'], [null, 'blocked'],
    ]);
    const last = added[4].id;
    await waitUntil(async () => (await service.getStatus(last)) === 'completed', { timeout: 20_000, what: 'the notify job to complete', detail: () => log.join(', ') });
    const at = (entry: string) => log.indexOf(entry);
    for (const middle of ['thumbnail', 'preview', 'waveform']) {
      expect(at(`start ${middle}`)).toBeGreaterThan(at('end convert'));
      expect(at('start notify')).toBeGreaterThan(at(`end ${middle}`));
    }
    expect(parentsSeen.get('notify')).toEqual(['thumbnail', 'preview', 'waveform'].map((name) => ['step', 'completed', `${name} done`]));
    expect(parentsSeen.get('preview')).toEqual([['step', 'completed', 'convert done']]);
  });

  it('a failing middle job cancels the last, which never runs, and says why', async () => {
    const service = kernel.getService('@Flows');
    const added = await service.addFlow(convertFlow('preview'));
    const [, thumbnail, preview, waveform, notify] = added.map((job) => job.id);
    await waitUntil(async () => (await service.getStatus(notify)) === 'cancelled', { timeout: 20_000, what: 'the notify job to be cancelled' });
    await waitUntil(async () => (await service.getStatus(thumbnail)) === 'completed' && (await service.getStatus(waveform)) === 'completed', { timeout: 20_000, what: 'the other middle jobs' });
    expect(await service.getStatus(preview)).toBe('error');
    expect(await service.getError(notify)).toBe(`cancelled: its parent job ${preview} ended error`);
    expect(log).not.toContain('start notify');
  });

  it('a job added after others waits for them; unknown parents are refused with nothing added', async () => {
    const service = kernel.getService('@Flows');
    const before = (await service.jobs.page({ limit: 1000 })).jobs.length;
    await expect(service.add('step', { name: 'x' }, { after: [999_999] })).rejects.toThrow('no job 999999 in @Flows to wait for');
    await expect(service.addFlow({ jobs: [{ task: 'step', input: { name: 'a' } }, { task: 'step', input: { name: 'b' }, after: ['nope'] }] })).rejects.toThrow(
      '/jobs/1/after names "nope", which no earlier job of the flow is called: list a job after the jobs it waits for',
    );
    await expect(service.add('step', { name: 'x' }, { after: [1], startLater: true })).rejects.toThrow(/takes no startLater/);
    await expect(service.add('step', { name: 'x' }, { after: [1], onParentFailure: 'ignore' as never })).rejects.toThrow('onParentFailure must be cancel or run; got "ignore"');
    expect((await service.jobs.page({ limit: 1000 })).jobs.length).toBe(before);
    const first = await service.add('step', { name: 'first' });
    const second = await service.add('step', { name: 'second' }, { after: [first] });
    await waitUntil(async () => (await service.getStatus(second)) === 'completed', { timeout: 20_000, what: 'the second job' });
    expect(log.indexOf('start second')).toBeGreaterThan(log.indexOf('end first'));
    expect((await service.relatedJobs(second)).parents.map((job) => job.id)).toEqual([first]);
  });

  it('a batch calls its callback once, with the counts of how its jobs ended', async () => {
    const service = kernel.getService('@Flows');
    batchSeen.length = 0;
    const jobs = Array.from({ length: 20 }, (_, index) => ({ task: 'step', input: { name: `b${index}`, fail: index % 7 === 3 } }));
    const { batchId, callbackId, ids } = await service.addBatch({ jobs, callback: { task: 'tally' } });
    expect(ids).toHaveLength(20);
    await waitUntil(async () => (await service.getStatus(callbackId)) === 'completed', { timeout: 20_000, what: 'the batch callback' });
    expect(batchSeen).toEqual([expect.objectContaining({ id: batchId, callbackId, size: 20, completed: 17, failed: 3, cancelled: 0, pending: 0 })]);
    expect(await service.getBatch(batchId)).toMatchObject({ completed: 17, failed: 3 });
    await expect(service.addBatch({ jobs: [], callback: { task: 'tally' } })).rejects.toThrow('the batch needs jobs');
  });
});
