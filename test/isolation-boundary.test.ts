import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  createKernel,
  definePlugin,
  isolatedTask,
  IsolatedTask,
  KernelResources,
  SimpleTask,
  SnoozeError,
  type TaskContext,
} from '../core/index.js';
import { isolationPoolFor } from '../core/isolation/isolation-pool.js';
import { createIsolationKernel, HEAVY, type IsolationKernel } from './fixtures/isolation/isolation-kernel.js';
import { fixtureModule } from './fixtures/isolation/isolation-fixtures.js';

let running: IsolationKernel | undefined;
afterEach(async () => {
  await running?.kernel.close();
  running = undefined;
});

describe('what crosses the boundary', () => {
  it('a result a thread cannot clone (a function) fails its job with a clear error, without retries', async () => {
    running = await createIsolationKernel({ sites: { '': { services: { Heavy: { ...HEAVY, maxAttempts: 3 } } } } });
    const { kernel, ended } = running;
    const service = kernel.getService('@Heavy');
    service.startProcessing();

    const id = await service.add('unclonable-thread', { kind: 'function' });
    expect((await ended(id)).type).toBe('failed');
    const job = await service.getJob(id);
    expect(job).toMatchObject({ status: 'error', attempts: 1 });
    expect(job.error).toMatch(/^the result of task "unclonable-thread" cannot cross to the main thread: .*could not be cloned/);
  });

  it('a result a process cannot send as JSON (a symbol) fails its job with a clear error', async () => {
    running = await createIsolationKernel();
    const { kernel, ended } = running;
    const service = kernel.getService('@Heavy');
    service.startProcessing();

    const id = await service.add('unclonable-process', { kind: 'symbol' });
    expect((await ended(id)).type).toBe('failed');
    expect(await service.getError(id)).toBe(
      'the result of task "unclonable-process" cannot cross to the main process: result.tag is a symbol',
    );
  });

  it.each(['thread', 'process'] as const)('input that cannot cross to a worker %s is refused before it is sent', async (mode) => {
    running = await createIsolationKernel();
    const service = running.kernel.getService('@Heavy');
    const task = service.getTask(`echo-${mode}`)!;
    const context = {
      service,
      task: `echo-${mode}`,
      jobId: 1,
      attempt: 1,
      signal: new AbortController().signal,
      logger: running.log.logger,
      progress: async () => {},
      snooze: (seconds: number): never => {
        throw new SnoozeError(seconds);
      },
      lookup: (token, name) => service.site.lookup(token, name),
      parents: async () => [],
      batch: async () => null,
    } satisfies TaskContext;
    await expect(task.run({ value: { callback: () => 1 } }, context)).rejects.toThrow(
      mode === 'thread'
        ? /^the input of task "echo-thread" cannot cross to its worker thread: .*could not be cloned/
        : /^the input of task "echo-process" cannot cross to its worker process: input\.value\.callback is a function$/,
    );
  });
});

describe('the context inside a worker', () => {
  it.each(['thread', 'process'] as const)('forwards progress, logger lines and console output of a %s to the main thread', async (mode) => {
    running = await createIsolationKernel();
    const { kernel, events, ended, log } = running;
    const service = kernel.getService('@Heavy');
    service.startProcessing();

    const id = await service.add(`echo-${mode}`, { value: 42 });
    expect((await ended(id)).type).toBe('completed');
    expect(await service.getResult(id)).toMatchObject({ value: 42, runIn: mode, task: `echo-${mode}`, attempt: 1 });
    expect(events.find((event) => event.jobId === id && event.type === 'progress')).toMatchObject({ progress: 0.5, message: 'half way' });
    expect((await service.getJob(id)).progress).toBe(0.5);
    const messages = log.records.map((record) => `${record.level} ${record.message}`);
    expect(messages).toContain(`info echoing 42 in ${mode}`);
    expect(messages).toContain(`info plain console output of job ${id}`);
  });

  it.each(['thread', 'process'] as const)('keeps TaskError (no retry) apart from other errors (retried) in a %s', async (mode) => {
    running = await createIsolationKernel({ sites: { '': { services: { Heavy: { ...HEAVY, maxAttempts: 2 } } } } });
    const { kernel, events, ended } = running;
    const service = kernel.getService('@Heavy');
    service.startProcessing();

    const refused = await service.add(`echo-${mode}`, { fail: 'task-error' });
    const flaky = await service.add(`echo-${mode}`, { fail: 'error' });
    await ended(refused);
    await ended(flaky);
    expect(await service.getJob(refused)).toMatchObject({ status: 'error', attempts: 1, error: 'refused: bad value' });
    expect(await service.getJob(flaky)).toMatchObject({ status: 'error', attempts: 2, error: 'flaky failure' });
    expect(events.filter((event) => event.jobId === flaky && event.type === 'retrying')).toHaveLength(1);
    expect((await service.getJob(flaky)).errorStack).toContain('echo-task');
  });

  it('runs a module inline, in the service thread, with the same context', async () => {
    running = await createIsolationKernel();
    const { kernel, ended } = running;
    const service = kernel.getService('@Heavy');
    service.startProcessing();

    const id = await service.add('echo-inline', { value: 'here' });
    expect((await ended(id)).type).toBe('completed');
    expect(await service.getResult(id)).toMatchObject({ value: 'here', runIn: 'inline', pid: process.pid });
    expect(isolationPoolFor(service, 'thread').started).toBe(false);
  });

  it('fails a job whose module does not default-export a function, saying so', async () => {
    running = await createIsolationKernel();
    const { kernel, ended } = running;
    const service = kernel.getService('@Heavy');
    service.startProcessing();

    const id = await service.add('not-a-function-thread', null);
    await ended(id);
    expect(await service.getError(id)).toMatch(
      /^the module of task "not-a-function-thread" \(file:.*not-a-function-task\.ts\) must default-export a function \(input, context\) => result; its default export is object$/,
    );
  });
});

describe('declaring where tasks run', () => {
  it('finds the .ts module from source when it is named as compiled code names it (.js), and refuses a missing one', () => {
    expect(isolatedTask(fixtureModule('echo')).module.pathname).toMatch(/echo-task\.ts$/);
    expect(() => isolatedTask(new URL('./nowhere-task.js', import.meta.url))).toThrow(
      /^the task module .*nowhere-task\.js does not exist \(nor nowhere-task\.ts beside it\)$/,
    );
    expect(() => isolatedTask('./relative.js')).toThrow(/write new URL\('\.\/relative\.js', import\.meta\.url\)/);
  });

  it("gives a plugin's runIn to its module tasks that do not say, and refuses it for function tasks", async () => {
    const processPlugin = (extra: (ctx: Parameters<Parameters<typeof definePlugin>[0]['register']>[0]) => void) =>
      definePlugin({
        name: 'all-in-processes',
        runIn: 'process',
        register(ctx) {
          ctx.addTask('echo', isolatedTask(fixtureModule('echo')));
          ctx.addTask('echo-in-thread', isolatedTask(fixtureModule('echo'), { runIn: 'thread' }));
          extra(ctx);
        },
      });
    const kernel = await createKernel(
      {
        store: { kind: 'memory' },
        plugins: [processPlugin((ctx) => ctx.addTask('quick', new SimpleTask(() => 1, { runIn: 'inline' })))],
        sites: { '': { services: { S: {} } } },
      },
      { autostart: false },
    );
    const service = kernel.getService('@S');
    expect((service.getTask('echo') as IsolatedTask).runIn).toBe('process');
    expect((service.getTask('echo-in-thread') as IsolatedTask).runIn).toBe('thread');
    expect(service.getTask('quick')!.runIn).toBe('inline');
    await kernel.close();

    await expect(
      createKernel(
        {
          store: { kind: 'memory' },
          plugins: [processPlugin((ctx) => ctx.addTask('quick', new SimpleTask(() => 1)))],
        },
        { autostart: false },
      ),
    ).rejects.toThrow(
      /^plugin "all-in-processes" adds task "quick": its plugin says runIn "process", but a task made of a function runs only inline; define it by a module with isolatedTask\(.*\) or give it \{ runIn: 'inline' \}$/,
    );
  });

  it('sizes pools per service from the config, defaults first, and checks the keys', async () => {
    const kernel = await createKernel(
      {
        store: { kind: 'memory' },
        defaults: { isolation: { threads: 2 } },
        sites: { '': { services: { S: { isolation: { memoryLimitMb: 64 } } } } },
      },
      { autostart: false },
    );
    expect(kernel.getService('@S').options.isolation).toEqual({ threads: 2, memoryLimitMb: 64 });
    const pool = isolationPoolFor(kernel.getService('@S'), 'thread');
    expect(pool.options).toMatchObject({ size: 2, memoryLimitMb: 64, mode: 'thread' });
    expect(pool.started).toBe(false);
    await kernel.close();
    expect(() => isolationPoolFor(kernel.getService('@S'), 'process')).toThrow(/the kernel is closed/);

    let error: unknown;
    try {
      await createKernel({ store: { kind: 'memory' }, sites: { '': { services: { S: { isolation: { threads: 0, cores: 2 } as never } } } } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('sites[""].services.S.isolation.threads must be >= 1, got 0');
    expect((error as Error).message).toContain('sites[""].services.S.isolation.cores: unknown key "cores"');
  });
});

describe('kernel resources (where the pools live)', () => {
  it('makes a shared resource once, closes everything newest first, reports a failing close and goes on', async () => {
    const resources = new KernelResources();
    const closed: string[] = [];
    let made = 0;
    const first = resources.shared('pool', () => ({ n: ++made }), () => void closed.push('pool'));
    expect(resources.shared('pool', () => ({ n: ++made }))).toBe(first);
    resources.onClose(() => {
      throw new Error('cannot close');
    });
    const forget = resources.onClose(() => void closed.push('forgotten'));
    resources.onClose(() => void closed.push('last'));
    forget();

    const reported: string[] = [];
    await resources.close((error) => reported.push((error as Error).message));
    expect(closed).toEqual(['last', 'pool']);
    expect(reported).toEqual(['cannot close']);
    expect(made).toBe(1);
    expect(resources.closed).toBe(true);
    expect(() => resources.shared('other', () => 1)).toThrow('the kernel is closed: cannot start other');
  });
});
