import { afterEach, describe, expect, it } from 'vitest';
import { captureLog } from '../../../test/helpers/capture-log.js';
import { waitForEvent, waitUntil } from '../../../test/helpers/wait-for.js';
import type { ServiceConfig } from '../../config/define-config.js';
import { nextRunAt } from '../../jobs/time-of-next-call.js';
import { createKernel } from '../../kernel/create-kernel.js';
import type { Kernel } from '../../kernel/kernel.js';
import { SimpleTask } from '../../tasks/simple-task.js';
import type { JobEvent } from '../job-events.js';
import { ServiceWorker } from './service-worker.js';

let kernel: Kernel | undefined;
let worker: ServiceWorker | undefined;
afterEach(async () => {
  await worker?.stopProcessing();
  worker = undefined;
  await kernel?.close();
  kernel = undefined;
});

async function boot(service: ServiceConfig = {}) {
  const log = captureLog('debug');
  kernel = await createKernel(
    { store: { kind: 'memory' }, sites: { '': { services: { Svc: service } } } },
    { logger: log.logger, autostart: false },
  );
  const events: JobEvent[] = [];
  kernel.events.on((event) => events.push(event));
  return { kernel, service: kernel.getService('@Svc'), events, log };
}

/** A task that runs until its signal aborts, and says which runs it saw. */
function untilAborted(started: number[]) {
  return new SimpleTask((id: number, { signal }) => {
    started.push(id);
    return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('stopped'))));
  });
}

describe('the worker side: one cancel route to the held job', () => {
  it('a cancel for a prefetched job ends it cancelled without running it', async () => {
    const { kernel, service, events, log } = await boot();
    const started: number[] = [];
    kernel.addTask('wait', untilAborted(started));
    const [first, second, third] = await service.addMany('wait', [1, 2, 3]);
    // One slot, and a claim that takes every due job: two of them wait in the held list.
    const { store, clock, workerId } = kernel;
    worker = new ServiceWorker({ service, store, workerId, logger: log.logger, events: kernel.events, options: service.options, clock });
    worker.startProcessing({
      name: 'remotetasks.test',
      concurrency: 1,
      claim: () => store.claim({ service: service.address, now: clock(), workerId, leaseMs: service.options.leaseMs, limit: 3, nextRunAt }),
    });
    await waitUntil(() => started.length === 1, { what: 'the first job started' });
    expect(await service.cancel(second)).toBe('processing');
    expect(await service.cancel(first)).toBe('processing');
    await waitUntil(() => events.some((event) => event.jobId === second && event.type === 'cancelled'), { what: 'the prefetched job cancelled' });
    await waitUntil(() => started.length === 2, { what: 'the third job started' });
    expect(started).toEqual([1, 3]);
    expect(await service.getJob(second)).toMatchObject({ status: 'cancelled', error: null });
    expect(await service.getJob(first)).toMatchObject({ status: 'cancelled', error: 'cancelled while running' });
    expect(events.filter((event) => event.jobId === second).map((event) => event.type)).toEqual(['added', 'cancelled']);
    await service.cancel(third);
    await waitForEvent(kernel, (event) => event.jobId === third && event.type === 'cancelled');
  });

  it('a cancel whose notification was lost reaches the running job with the next lease renewal', async () => {
    const { kernel, service } = await boot({ leaseMs: 150 });
    // A store that delivers no cancel notification (a dropped LISTEN connection, say).
    kernel.store.onCancelRequested = () => () => {};
    const started: number[] = [];
    kernel.addTask('wait', untilAborted(started));
    const id = await service.add('wait', 1);
    service.startProcessing();
    await waitForEvent(kernel, (event) => event.jobId === id && event.type === 'started');
    expect(await service.cancel(id)).toBe('processing');
    expect((await waitForEvent(kernel, (event) => event.jobId === id && event.type !== 'progress')).type).toBe('cancelled');
    expect(await service.getJob(id)).toMatchObject({ status: 'cancelled', error: 'cancelled while running' });
  });

  it('a cancel for a job of another service leaves this service’s running job alone', async () => {
    kernel = await createKernel(
      { store: { kind: 'memory' }, sites: { '': { services: { A: {}, B: {} } } } },
      { logger: captureLog().logger, autostart: false },
    );
    const started: number[] = [];
    kernel.addTask('wait', untilAborted(started));
    const a = kernel.getService('@A');
    const b = kernel.getService('@B');
    const [inA, inB] = [await a.add('wait', 1), await b.add('wait', 2)];
    a.startProcessing();
    b.startProcessing();
    await waitUntil(() => started.length === 2, { what: 'both jobs started' });
    await b.cancel(inB);
    await waitForEvent(kernel, (event) => event.jobId === inB && event.type === 'cancelled');
    expect(await a.getStatus(inA)).toBe('processing');
    await a.cancel(inA);
    await waitForEvent(kernel, (event) => event.jobId === inA && event.type === 'cancelled');
  });
});
