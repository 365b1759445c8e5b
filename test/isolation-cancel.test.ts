import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin, isolatedTask } from '../core/index.js';
import { createIsolationKernel, type IsolationKernel } from './fixtures/isolation/isolation-kernel.js';
import { fixtureModule, isolationFixtures } from './fixtures/isolation/isolation-fixtures.js';

let running: IsolationKernel | undefined;
afterEach(async () => {
  await running?.kernel.close();
  running = undefined;
});

describe.each(['thread', 'process'] as const)('cancelling a job running in a worker %s', (mode) => {
  it('stops a busy loop that ignores its signal: the job ends cancelled and its worker slot runs the next job', async () => {
    running = await createIsolationKernel();
    const { kernel, seen, ended } = running;
    const service = kernel.getService('@Heavy'); // one worker of each kind
    service.startProcessing();

    const spinning = await service.add(`busy-${mode}`, { ms: 60_000 });
    await seen((event) => event.jobId === spinning && event.type === 'progress');
    await service.cancel(spinning);

    expect((await ended(spinning)).type).toBe('cancelled');
    expect(await service.getStatus(spinning)).toBe('cancelled');

    // The only worker was terminated after the grace period and replaced: the next job runs.
    const next = await service.add(`echo-${mode}`, { value: 'next' });
    expect((await ended(next)).type).toBe('completed');
  });

  it('lets a task that listens to its signal stop by itself, and keeps its worker', async () => {
    running = await createIsolationKernel();
    const { kernel, seen, ended } = running;
    const service = kernel.getService('@Heavy');
    service.startProcessing();

    const first = await service.add(`echo-${mode}`, { value: 1 });
    expect((await ended(first)).type).toBe('completed');
    const waiting = await service.add(`echo-${mode}`, { waitForAbort: true });
    await seen((event) => event.jobId === waiting && event.type === 'progress');
    await service.cancel(waiting);
    expect((await ended(waiting)).type).toBe('cancelled');

    const next = await service.add(`echo-${mode}`, { value: 2 });
    expect((await ended(next)).type).toBe('completed');
    const worker = (id: number) => service.getResult(id).then((result) => {
      const { pid, threadId } = result as { pid: number; threadId: number };
      return { pid, threadId };
    });
    expect(await worker(next)).toEqual(await worker(first));
  });
});

it('a timeout aborts a busy loop in a thread: the run fails as timed out (an ordinary, retried error)', async () => {
  const timed = definePlugin({
    name: 'timed',
    register(ctx) {
      ctx.addTask('busy-200ms-limit', isolatedTask(fixtureModule('busy'), { runIn: 'thread', timeout: 200, maxAttempts: 2 }));
    },
  });
  running = await createIsolationKernel({ plugins: [isolationFixtures, timed] });
  const { kernel, events, ended } = running;
  const service = kernel.getService('@Heavy');
  service.startProcessing();

  const id = await service.add('busy-200ms-limit', { ms: 60_000 });
  expect((await ended(id)).type).toBe('failed');
  expect(await service.getJob(id)).toMatchObject({ status: 'error', attempts: 2, error: 'task "busy-200ms-limit" timed out after 200 ms' });
  expect(events.filter((event) => event.jobId === id).map((event) => event.type)).toContain('retrying');
});

it('closing the kernel stops a running thread task, hands its job back to the queue and ends the pools', async () => {
  running = await createIsolationKernel();
  const { kernel, seen } = running;
  const service = kernel.getService('@Heavy');
  service.startProcessing();

  const id = await service.add('busy-thread', { ms: 60_000 });
  await seen((event) => event.jobId === id && event.type === 'progress');
  await kernel.close();
  running = undefined;

  expect(kernel.resources.closed).toBe(true);
  expect(await kernel.store.get(id)).toMatchObject({ status: 'queued' });
});
