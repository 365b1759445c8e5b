import { afterEach, describe, expect, it } from 'vitest';
import { captureLog } from '../../test/helpers/capture-log.js';
import { waitForEvent } from '../../test/helpers/wait-for.js';
import { createKernel, type KernelOptions } from '../kernel/create-kernel.js';
import type { Kernel } from '../kernel/kernel.js';
import type { ServiceConfig } from '../config/define-config.js';
import { SimpleTask } from '../tasks/simple-task.js';
import { TaskError } from '../tasks/task-error.js';
import { InvalidInputError, JobStateError, UnknownJobError, UnknownTaskError } from './errors.js';

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.close();
  kernel = undefined;
});

async function boot(service: ServiceConfig = {}, options: KernelOptions = {}) {
  const log = captureLog('debug');
  kernel = await createKernel(
    { store: { kind: 'memory' }, sites: { '': { services: { Svc: service } } } },
    { logger: log.logger, autostart: false, ...options },
  );
  return { kernel, service: kernel.getService('@Svc'), log };
}

describe('TaskService: adding jobs', () => {
  it('rejects an unknown task before anything is stored, naming the available ones', async () => {
    const { kernel, service } = await boot();
    kernel.addTask('echo', new SimpleTask((x) => x));
    const error = await service.add('ecko', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownTaskError);
    expect((error as Error).message).toBe('task "ecko" is not registered for service @Svc; available tasks: echo');
    expect(await service.jobs.all()).toEqual([]);
  });

  it('rejects input that fails the task schema, with every problem, and stores nothing', async () => {
    const { kernel, service } = await boot();
    kernel.addTask(
      'resize',
      new SimpleTask((x) => x, {
        inputSchema: {
          type: 'object',
          required: ['width'],
          additionalProperties: false,
          properties: { width: { type: 'integer', minimum: 1 } },
        },
      }),
    );
    const error = (await service.add('resize', { width: 0, colour: 'red' }).catch((e: unknown) => e)) as InvalidInputError;
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.problems).toEqual(
      expect.arrayContaining([
        { path: '', message: 'unknown property "colour"' },
        { path: '/width', message: 'must be >= 1' },
      ]),
    );
    expect(await service.jobs.all()).toEqual([]);
    expect(await service.add('resize', { width: 10 })).toBeGreaterThan(0);
  });

  it('adds many jobs in one write, in order, or none when one input is bad', async () => {
    const { kernel, service } = await boot();
    kernel.addTask('square', new SimpleTask((n: number) => n * n, { inputSchema: { type: 'integer' } }));
    const error = (await service.addMany('square', [1, 2, 'three']).catch((e: unknown) => e)) as InvalidInputError;
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.problems).toEqual([{ path: '/2', message: 'must be integer' }]);
    expect(await service.jobs.all()).toEqual([]);
    const ids = await service.addMany('square', [1, 2, 3]);
    expect(ids).toHaveLength(3);
    expect(await service.process()).toBe(3);
    expect(await Promise.all(ids.map((id) => service.getResult(id)))).toEqual([1, 4, 9]);
  });

  it('keeps a start-later job waiting until it is started', async () => {
    const { kernel, service } = await boot();
    kernel.addTask('echo', new SimpleTask((x) => x));
    const id = await service.add('echo', 1, { startLater: true });
    expect(await service.getStatus(id)).toBe('start later');
    expect(await service.process()).toBe(0);
    await service.startJob(id);
    expect(await service.getStatus(id)).toBe('queued');
    expect(await service.process()).toBe(1);
    expect(await service.getStatus(id)).toBe('completed');
    await expect(service.startJob(id)).rejects.toThrow('job 1 is completed; only a job in "start later" can be started');
  });

  it('rejects a bad cron spec and stores nothing', async () => {
    const { kernel, service } = await boot();
    kernel.addTask('echo', new SimpleTask((x) => x));
    await expect(service.addCronJob('echo', null, { minute: [61] })).rejects.toThrow('minute: 61 is out of range 0-59');
    expect(await service.jobs.all()).toEqual([]);
  });

  it('keeps times, attempts and input with each job', async () => {
    let now = 1_000_000;
    const { kernel, service } = await boot({}, { clock: () => now });
    kernel.addTask('echo', new SimpleTask((x) => x));
    const id = await service.add('echo', { a: [1, 'ü'] });
    now = 1_000_500;
    await service.process();
    const job = await service.getJob(id);
    expect(job).toMatchObject({
      status: 'completed',
      input: { a: [1, 'ü'] },
      result: { a: [1, 'ü'] },
      attempts: 1,
      created: 1_000_000,
      started: 1_000_500,
      completed: 1_000_500,
    });
  });
});

describe('TaskService: failures', () => {
  it('retries an unexpected error with exponential backoff, then gives up with the last error', async () => {
    let now = 0;
    const { kernel, service, log } = await boot(
      { maxAttempts: 3, backoff: { base: 1000, factor: 2, max: 60_000 } },
      { clock: () => now * 1000 },
    );
    let calls = 0;
    kernel.addTask(
      'flaky',
      new SimpleTask(() => {
        calls += 1;
        throw new Error(`boom ${calls}`);
      }),
    );
    const id = await service.add('flaky');
    await service.process(0);
    expect(await service.getJob(id)).toMatchObject({ status: 'queued', attempts: 1, error: 'boom 1', runAt: 1000 });
    await service.process(0.999);
    expect(calls).toBe(1);
    await service.process(1);
    expect(await service.getJob(id)).toMatchObject({ status: 'queued', attempts: 2, error: 'boom 2', runAt: 3000 });
    await service.process(3);
    expect(await service.getJob(id)).toMatchObject({ status: 'error', attempts: 3, error: 'boom 3' });
    expect((await service.getJob(id)).errorStack).toContain('boom 3');
    expect(log.records.filter((r) => r.level === 'error').map((r) => r.message)).toEqual([
      'job 1 (task flaky) failed on attempt 1 of 3, retrying in 1000 ms: boom 1',
      'job 1 (task flaky) failed on attempt 2 of 3, retrying in 2000 ms: boom 2',
      'job 1 (task flaky) failed on attempt 3 of 3: boom 3',
    ]);
  });

  it('fails a TaskError at once, without retrying', async () => {
    const { kernel, service } = await boot();
    kernel.addTask('refuse', new SimpleTask(() => Promise.reject(new TaskError('no such video'))));
    const id = await service.add('refuse');
    await service.process();
    expect(await service.getJob(id)).toMatchObject({ status: 'error', attempts: 1, error: 'no such video' });
  });

  it('fails a job whose result breaks the task\'s output schema, without retrying', async () => {
    const { kernel, service } = await boot();
    kernel.addTask(
      'count',
      new SimpleTask((input: number) => (input > 0 ? input : 'none'), { outputSchema: { type: 'integer', minimum: 1 } }),
    );
    const good = await service.add('count', 3);
    const bad = await service.add('count', 0);
    await service.process();
    expect(await service.getJob(good)).toMatchObject({ status: 'completed', result: 3 });
    expect(await service.getJob(bad)).toMatchObject({
      status: 'error',
      attempts: 1,
      error: 'the result of task "count" does not match its output schema: (result) must be integer',
    });
  });

  it('lets a task lower its own attempts', async () => {
    const { kernel, service } = await boot();
    kernel.addTask('once', new SimpleTask(() => { throw new Error('x'); }, { maxAttempts: 1 }));
    const id = await service.add('once');
    await service.process();
    expect(await service.getJob(id)).toMatchObject({ status: 'error', attempts: 1, maxAttempts: 1 });
  });

  it('fails a job whose task is not registered any more', async () => {
    const { kernel, service } = await boot();
    kernel.addTask('echo', new SimpleTask((x) => x));
    const id = await service.add('echo');
    expect(kernel.removeTask('echo')).toBe(true);
    await service.process();
    expect(await service.getJob(id)).toMatchObject({ status: 'error', error: 'task "echo" is not registered any more; available tasks: (none)' });
  });

  it('fails a job whose result cannot be stored as JSON', async () => {
    const { kernel, service } = await boot();
    kernel.addTask('cyclic', new SimpleTask(() => { const a: Record<string, unknown> = {}; a.self = a; return a; }));
    const id = await service.add('cyclic');
    await service.process();
    const job = await service.getJob(id);
    expect(job.status).toBe('error');
    expect(job.error).toMatch(/^the result of task "cyclic" cannot be stored as JSON: /);
  });

  it('times a task out, aborting its signal, and retries by the usual rules', async () => {
    const { kernel, service } = await boot({ maxAttempts: 2, backoff: { base: 0, factor: 1, max: 0 } });
    let aborted = 0;
    kernel.addTask(
      'slow',
      new SimpleTask(
        (_input, { signal }) =>
          new Promise((_resolve, reject) => signal.addEventListener('abort', () => { aborted++; reject(signal.reason); })),
        { timeout: 20 },
      ),
    );
    const id = await service.add('slow');
    await service.process();
    expect(aborted).toBe(2);
    expect(await service.getJob(id)).toMatchObject({ status: 'error', attempts: 2, error: 'task "slow" timed out after 20 ms' });
  });

  it('lets a job\'s own timeout override the task\'s', async () => {
    const { kernel, service } = await boot({ maxAttempts: 1 });
    kernel.addTask(
      'slow',
      new SimpleTask(
        (_input, { signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
        { timeout: 600_000 },
      ),
    );
    const id = await service.add('slow', null, { timeout: 15 });
    await service.process();
    expect(await service.getJob(id)).toMatchObject({ status: 'error', timeout: 15, error: 'task "slow" timed out after 15 ms' });
    await expect(service.add('slow', null, { timeout: 0 })).rejects.toThrow(
      'timeout must be a whole number of milliseconds, at least 1; got 0',
    );
  });

  it('keeps processing after a task throws something that is not an Error', async () => {
    const { kernel, service } = await boot({ maxAttempts: 1 });
    kernel.addTask('weird', new SimpleTask(() => { throw 'a string'; }));
    kernel.addTask('echo', new SimpleTask((x) => x));
    const bad = await service.add('weird');
    const good = await service.add('echo', 2);
    expect(await service.process()).toBe(2);
    expect(await service.getJob(bad)).toMatchObject({ status: 'error', error: 'a string' });
    expect(await service.getResult(good)).toBe(2);
  });
});

describe('TaskService: cancelling and cleaning', () => {
  it('cancels a running job through its signal and ends it cancelled', async () => {
    const { kernel, service } = await boot();
    kernel.addTask(
      'wait',
      new SimpleTask((_input, { signal }) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('stopped'))))),
    );
    const id = await service.add('wait');
    service.startProcessing();
    await waitForEvent(kernel, (e) => e.jobId === id && e.type === 'started');
    expect(await service.cancel(id)).toBe('processing');
    await waitForEvent(kernel, (e) => e.jobId === id && e.type === 'cancelled');
    expect(await service.getJob(id)).toMatchObject({ status: 'cancelled', error: 'cancelled while running' });
  });

  it('abandons a running task that ignores cancellation after the grace period', async () => {
    const { kernel, service, log } = await boot({ abortGrace: 20 });
    kernel.addTask('deaf', new SimpleTask(() => new Promise(() => {})));
    const id = await service.add('deaf');
    service.startProcessing();
    await waitForEvent(kernel, (e) => e.jobId === id && e.type === 'started');
    await service.cancel(id);
    await waitForEvent(kernel, (e) => e.jobId === id && e.type === 'cancelled');
    expect(await service.getStatus(id)).toBe('cancelled');
    expect(log.records.map((r) => r.message)).toContain('job 1 (task deaf) ignored its abort signal for 20 ms; it is abandoned');
  });

  it('refuses to clean statuses that are not final', async () => {
    const { service } = await boot();
    await expect(service.clean(['queued'])).rejects.toThrow(
      'clean removes only finished jobs (cancelled, error, completed); not: queued',
    );
  });

  it('cancels all waiting jobs at once', async () => {
    const { kernel, service } = await boot();
    kernel.addTask('echo', new SimpleTask((x) => x));
    await service.add('echo', 1);
    await service.add('echo', 2, { startLater: true });
    const cron = await service.addCronJob('echo', 3, { minute: [5] });
    const events: Array<{ type: string; jobId: number }> = [];
    kernel.events.on((event) => events.push({ type: event.type, jobId: event.jobId }));
    expect(await service.cancelAll()).toBe(3);
    expect((await service.jobs.all()).map((j) => j.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    // Each job it ended says so, as a single cancel does: live views and --wait see it.
    expect(events).toEqual([1, 2, cron].map((jobId) => ({ type: 'cancelled', jobId })));
  });

  it('says which job does not exist, also for a job of another service', async () => {
    const log = captureLog();
    kernel = await createKernel(
      { store: { kind: 'memory' }, sites: { '': { services: { A: {}, B: {} } } } },
      { logger: log.logger, autostart: false },
    );
    kernel.addTask('echo', new SimpleTask((x) => x));
    const id = await kernel.getService('@A').add('echo');
    await expect(kernel.getService('@B').getStatus(id)).rejects.toThrow(UnknownJobError);
    await expect(kernel.getService('@B').getStatus(id)).rejects.toThrow(`job ${id} does not exist in service @B`);
  });

  it('reschedules only cron and delayed jobs', async () => {
    const { kernel, service } = await boot();
    kernel.addTask('echo', new SimpleTask((x) => x));
    const id = await service.add('echo');
    await expect(service.reschedule(id)).rejects.toThrow(JobStateError);
    const cron = await service.addCronJob('echo', null, { minute: [0] });
    await expect(service.updateCronJob(cron, { delay: 5 })).rejects.toThrow('is a cron job; give it field lists or a cron expression, not a delay');
  });
});

describe('TaskService: processors', () => {
  it('simple runs one job at a time, in the order they were added', async () => {
    const { kernel, service } = await boot({ processor: 'simple' });
    const order: number[] = [];
    let running = 0;
    let most = 0;
    kernel.addTask(
      'step',
      new SimpleTask(async (n: number) => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setImmediate(resolve));
        order.push(n);
        running--;
      }),
    );
    const ids: number[] = [];
    for (let n = 0; n < 20; n++) ids.push(await service.add('step', n));
    const last = waitForEvent(kernel, (e) => e.jobId === ids.at(-1) && e.type === 'completed');
    service.startProcessing();
    await last;
    expect(order).toEqual([...Array(20).keys()]);
    expect(most).toBe(1);
  });

  it('multi runs up to maxConcurrency jobs at once and never more', async () => {
    const { kernel, service } = await boot({ processor: 'multi', maxConcurrency: 3 });
    let running = 0;
    let most = 0;
    const gates: Array<() => void> = [];
    const reachedThree = new Promise<void>((resolve) => {
      kernel.addTask(
        'gate',
        new SimpleTask(() => {
          running++;
          most = Math.max(most, running);
          if (running === 3) resolve();
          return new Promise<void>((release) => gates.push(() => { running--; release(); }));
        }),
      );
    });
    const ids: number[] = [];
    for (let n = 0; n < 7; n++) ids.push(await service.add('gate', n));
    service.startProcessing();
    await reachedThree;
    expect(running).toBe(3);
    // Release jobs one by one until every job has run; a freed slot is refilled at once.
    let completed = 0;
    const off = kernel.events.on((e) => { if (e.type === 'completed') completed++; });
    while (completed < 7) {
      const release = gates.shift();
      if (release) release();
      await new Promise((resolve) => setImmediate(resolve));
    }
    off();
    expect(most).toBe(3);
    expect((await service.jobs.countByStatus()).completed).toBe(7);
  });

  it('picks up a job added while idle at once, without waiting for the poll', async () => {
    const { kernel, service } = await boot({ pollInterval: 600_000 });
    kernel.addTask('echo', new SimpleTask((x) => x));
    service.startProcessing();
    const id = await service.add('echo', 'now');
    await waitForEvent(kernel, (e) => e.jobId === id && e.type === 'completed', 5_000);
    expect(await service.getResult(id)).toBe('now');
  });

  it('runs a delayed job when it falls due, without a poll', async () => {
    const { kernel, service } = await boot({ pollInterval: 600_000 });
    kernel.addTask('echo', new SimpleTask((x) => x));
    service.startProcessing();
    const id = await service.addCronJob('echo', 'later', { delay: 0.05 });
    await waitForEvent(kernel, (e) => e.jobId === id && e.type === 'completed', 5_000);
    expect(await service.getStatus(id)).toBe('completed');
  });

  it('lets running jobs finish on stop, and hands back those that outlast the stop timeout', async () => {
    const { kernel, service } = await boot({ processor: 'multi', maxConcurrency: 2, stopTimeout: 30 });
    let release!: () => void;
    const quickGate = new Promise<void>((resolve) => (release = resolve));
    kernel.addTask('quick', new SimpleTask(() => quickGate));
    kernel.addTask(
      'long',
      new SimpleTask((_i, { signal }) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))))),
    );
    const quick = await service.add('quick');
    const long = await service.add('long');
    const bothStarted = Promise.all([
      waitForEvent(kernel, (e) => e.jobId === quick && e.type === 'started'),
      waitForEvent(kernel, (e) => e.jobId === long && e.type === 'started'),
    ]);
    service.startProcessing();
    await bothStarted;
    const stopped = service.stopProcessing();
    release();
    await stopped;
    expect(await service.getJob(quick)).toMatchObject({ status: 'completed' });
    expect(await service.getJob(long)).toMatchObject({ status: 'queued', attempts: 0 });
  });
});

describe('TaskService: cron catch-up and store outages', () => {
  const hour = 3_600_000;

  it('runs one catch-up occurrence of a missed cron job by default', async () => {
    let now = 0;
    const { kernel, service } = await boot({}, { clock: () => now });
    let runs = 0;
    kernel.addTask('tick', new SimpleTask(() => ++runs));
    const id = await service.addCronJob('tick', null, { minute: [0] });
    now = 3 * hour + 5 * 60_000;
    await service.process(now / 1000);
    expect(runs).toBe(1);
    expect((await service.getJob(id)).runAt).toBe(4 * hour);
  });

  it('skips missed cron occurrences with missedCron: skip', async () => {
    let now = 0;
    const { kernel, service, log } = await boot({ missedCron: 'skip' }, { clock: () => now });
    let runs = 0;
    kernel.addTask('tick', new SimpleTask(() => ++runs));
    const id = await service.addCronJob('tick', null, { minute: [0] });
    now = 3 * hour + 5 * 60_000;
    expect(await service.skipMissedCronJobs()).toBe(1);
    expect((await service.getJob(id)).runAt).toBe(4 * hour);
    await service.process(now / 1000);
    expect(runs).toBe(0);
    expect(log.records.map((r) => r.message)).toContain(
      `cron job ${id} (task tick) missed its run at 1970-01-01T01:00:00.000Z; skipped to 1970-01-01T04:00:00.000Z`,
    );
  });

  it('keeps trying to record an outcome while the store is unreachable', async () => {
    const { kernel, service, log } = await boot();
    kernel.addTask('echo', new SimpleTask((x) => x));
    const id = await service.add('echo', 'kept');
    const finish = kernel.store.finish.bind(kernel.store);
    let failures = 2;
    kernel.store.finish = async (outcomes) => {
      if (failures-- > 0) throw new Error('PostgreSQL at 127.0.0.1:5432 is not reachable: ECONNREFUSED');
      return finish(outcomes);
    };
    await service.process();
    expect(await service.getJob(id)).toMatchObject({ status: 'completed', result: 'kept' });
    expect(log.records.filter((r) => r.message.startsWith(`recording the outcome of job ${id} failed, retrying`))).toHaveLength(2);
  });
});

