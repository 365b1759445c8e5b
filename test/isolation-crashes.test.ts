import { afterEach, describe, expect, it } from 'vitest';
import { isolationPoolFor } from '../core/isolation/isolation-pool.js';
import { waitUntil } from './helpers/wait-for.js';
import { createIsolationKernel, HEAVY, type IsolationKernel } from './fixtures/isolation/isolation-kernel.js';

let running: IsolationKernel | undefined;
afterEach(async () => {
  await running?.kernel.close();
  running = undefined;
});

describe.each(['thread', 'process'] as const)('a task that crashes its worker %s', (mode) => {
  const crashes = [
    ['calls process.exit(1)', 'exit', new RegExp(`^the worker ${mode} running task "exit-${mode}" exited with code 1$`)],
    [
      'throws from a timer',
      'timer-throw',
      mode === 'thread'
        ? /^the worker thread running task "timer-throw-thread" crashed: uncaught Error: boom from a timer$/
        : /^the worker process running task "timer-throw-process" exited with code 1(: uncaught Error: boom from a timer)?$/,
    ],
    ['allocates past its memory limit', 'memory-hog', new RegExp(`^the worker ${mode} running task "memory-hog-${mode}" ran out of memory \\(limit 64 MB\\)$`)],
  ] as const;

  it.each(crashes)('%s: only its job fails, clearly, and the next job on the service completes', async (_what, fixture, error) => {
    running = await createIsolationKernel();
    const { kernel, ended } = running;
    const service = kernel.getService('@Heavy');
    service.startProcessing();

    const crashing = await service.add(`${fixture}-${mode}`, null);
    const next = await service.add(`echo-${mode}`, { value: 'after the crash' });

    expect((await ended(crashing)).type).toBe('failed');
    const job = await service.getJob(crashing);
    expect(job.status).toBe('error');
    expect(job.error).toMatch(error);

    expect((await ended(next)).type).toBe('completed');
    expect(await service.getResult(next)).toMatchObject({ value: 'after the crash', runIn: mode });
    expect(service.isProcessing()).toBe(true);
  });

  it('is an ordinary error: the job is retried by the usual rules, then ends in error', async () => {
    running = await createIsolationKernel({ sites: { '': { services: { Heavy: { ...HEAVY, maxAttempts: 2 } } } } });
    const { kernel, events, ended } = running;
    const service = kernel.getService('@Heavy');
    service.startProcessing();

    const id = await service.add(`exit-${mode}`, null);
    expect((await ended(id)).type).toBe('failed');
    expect(events.filter((event) => event.jobId === id).map((event) => event.type)).toEqual([
      'added', 'started', 'retrying', 'started', 'failed',
    ]);
    expect(await service.getJob(id)).toMatchObject({ status: 'error', attempts: 2 });
  });

  it('that dies between jobs (a timer left behind throws) is replaced before the next job is handed to it', async () => {
    running = await createIsolationKernel();
    const { kernel, ended, log } = running;
    const service = kernel.getService('@Heavy'); // one worker
    service.startProcessing();

    const leaving = await service.add(`stray-timer-${mode}`, null);
    expect((await ended(leaving)).type).toBe('completed');
    const pool = isolationPoolFor(service, mode);
    await waitUntil(() => pool.stats().workers === 0, { timeout: 10_000, what: 'the worker to die of the stray timer' });

    const next = await service.add(`echo-${mode}`, { value: 'next' });
    expect((await ended(next)).type).toBe('completed');
    expect(log.records.map((record) => record.message)).toContain(
      `a worker ${mode} of service @Heavy had died between jobs; job ${next} goes to another`,
    );
  });

  it('does not disturb a job running in a sibling worker of the same pool', async () => {
    running = await createIsolationKernel({
      sites: {
        '': {
          services: {
            Heavy: { ...HEAVY, processor: 'multi', maxConcurrency: 2, isolation: { threads: 2, processes: 2, memoryLimitMb: 64 } },
          },
        },
      },
    });
    const { kernel, seen, ended } = running;
    const service = kernel.getService('@Heavy');
    service.startProcessing();

    const steady = await service.add(`busy-${mode}`, { ms: 500 });
    await seen((event) => event.jobId === steady && event.type === 'progress');
    const crashing = await service.add(`exit-${mode}`, null);

    expect((await ended(crashing)).type).toBe('failed');
    expect((await ended(steady)).type).toBe('completed');
  });
});
