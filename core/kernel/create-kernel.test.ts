import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLog } from '../../test/helpers/capture-log.js';
import type { RemotetaskConfig } from '../config/define-config.js';
import type { Token } from '../registry/token.js';
import { TaskServiceToken } from '../service/task-service-token.js';
import { SimpleTask } from '../tasks/simple-task.js';
import { TaskToken } from '../tasks/task.js';
import { createKernel, type KernelOptions } from './create-kernel.js';
import { definePlugin, type Plugin } from './define-plugin.js';
import type { Kernel } from './kernel.js';

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.close();
  kernel = undefined;
});

async function boot(config: RemotetaskConfig, options: KernelOptions = {}) {
  kernel = await createKernel({ store: { kind: 'memory' }, ...config }, { logger: captureLog().logger, autostart: false, ...options });
  return kernel;
}

const taskPlugin = (name: string, task: string, extra: Partial<Plugin> = {}) =>
  definePlugin({ name, register: (ctx) => ctx.addTask(task, new SimpleTask(() => `${name}:${task}`)), ...extra });

describe('createKernel: plugins', () => {
  it('registers the built-in echo plugin by its folder name', async () => {
    const k = await boot({ plugins: ['echo'], sites: { '': { services: { Svc: {} } } } });
    expect(k.pluginNames()).toEqual(['echo']);
    const service = k.getService('@Svc');
    const id = await service.add('echo', { foo: 'bar' });
    await service.process();
    expect(await service.getResult(id)).toEqual({ foo: 'bar' });
  });

  it('orders plugins after their dependencies', async () => {
    const order: string[] = [];
    const a = definePlugin({ name: 'a', dependencies: ['b'], register: () => void order.push('a') });
    const b = definePlugin({ name: 'b', register: () => void order.push('b') });
    const k = await boot({ plugins: [a, b] });
    expect(order).toEqual(['b', 'a']);
    expect(k.pluginNames()).toEqual(['b', 'a']);
  });

  it('says which dependency is missing', async () => {
    const a = definePlugin({ name: 'a', dependencies: ['video-core'], register: () => {} });
    await expect(boot({ plugins: [a] })).rejects.toThrow(
      'plugin "a" depends on plugin "video-core", which is not loaded: add "video-core" to the config\'s plugins',
    );
  });

  it('refuses a dependency cycle', async () => {
    const a = definePlugin({ name: 'a', dependencies: ['b'], register: () => {} });
    const b = definePlugin({ name: 'b', dependencies: ['a'], register: () => {} });
    await expect(boot({ plugins: [a, b] })).rejects.toThrow('plugins depend on each other in a cycle: a → b → a');
  });

  it('refuses two plugins registering the same global task', async () => {
    await expect(boot({ plugins: [taskPlugin('one', 'resize'), taskPlugin('two', 'resize')] })).rejects.toThrow(
      'task "resize" is registered twice: by plugin "one" and by plugin "two"',
    );
  });

  it('lets a site task hide the global one of the same name, in that site only', async () => {
    const site = definePlugin({
      name: 'site-only',
      register: (ctx) => ctx.addTask('resize', new SimpleTask(() => 'site1 resize'), { site: 'site1' }),
    });
    const k = await boot({
      plugins: [taskPlugin('global', 'resize'), site],
      sites: { '': { services: { Root: {} } }, site1: { services: { Svc: {} } } },
    });
    const inSite = k.getService('site1@Svc');
    const atRoot = k.getService('@Root');
    const [a, b] = [await inSite.add('resize'), await atRoot.add('resize')];
    await inSite.process();
    await atRoot.process();
    expect(await inSite.getResult(a)).toBe('site1 resize');
    expect(await atRoot.getResult(b)).toBe('global:resize');
  });

  it('refuses a task for a site the config does not define', async () => {
    const bad = definePlugin({ name: 'bad', register: (ctx) => ctx.addTask('x', new SimpleTask(() => 1), { site: 'nowhere' }) });
    await expect(boot({ plugins: [bad] })).rejects.toThrow(
      'plugin "bad" adds task "x" to site "nowhere", which the config does not define (sites: root)',
    );
  });

  it('names an unknown plugin', async () => {
    await expect(boot({ plugins: ['no-such-plugin'] })).rejects.toThrow(
      /^plugin "no-such-plugin" not found: it is not a built-in plugin, not a path \(start paths with \.\/\)/,
    );
  });

  it('loads a plugin written in TypeScript from a path relative to the base directory, with its options', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'remotetask-plugin-'));
    await writeFile(
      join(dir, 'thumbnail.ts'),
      `import { definePlugin, SimpleTask } from 'remotetask';
       interface Options { size: number }
       export default definePlugin({
         name: 'thumbnail',
         register(ctx) {
           const { size } = ctx.options as unknown as Options;
           ctx.addTask('thumbnail', new SimpleTask((input: { file: string }) => input.file + '@' + size));
         },
       });`,
    );
    const k = await boot({ plugins: [['./thumbnail.ts', { size: 64 }]], sites: { '': { services: { Svc: {} } } } }, { baseDir: dir });
    const service = k.getService('@Svc');
    const id = await service.add('thumbnail', { file: 'a.png' });
    await service.process();
    expect(await service.getResult(id)).toBe('a.png@64');
  });

  it('says when a plugin file does not exist or exports no plugin', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'remotetask-plugin-'));
    await writeFile(join(dir, 'nothing.js'), 'export default { hello: 1 };');
    await expect(boot({ plugins: ['./missing.ts'] }, { baseDir: dir })).rejects.toThrow(
      `plugin file ${join(dir, 'missing.ts')} does not exist (named as "./missing.ts" in the config)`,
    );
    await expect(boot({ plugins: ['./nothing.js'] }, { baseDir: dir })).rejects.toThrow(
      `${join(dir, 'nothing.js')} does not export a plugin: its default export must be definePlugin({ name, register })`,
    );
  });

  it('collects contributions and runs bootstrap and close handlers', async () => {
    const point = Symbol('routes');
    const seen: string[] = [];
    const plugin = definePlugin({
      name: 'hooks',
      register(ctx) {
        ctx.contribute(point, 'route A');
        ctx.on('bootstrap', () => void seen.push('bootstrap'));
        ctx.on('close', () => void seen.push('close'));
      },
    });
    const k = await boot({ plugins: [plugin] });
    expect(k.contributions(point)).toEqual(['route A']);
    expect(seen).toEqual(['bootstrap']);
    await k.close();
    await k.close();
    expect(seen).toEqual(['bootstrap', 'close']);
  });
});

describe('createKernel: the container is the registry', () => {
  it('binds what plugins register in the container: tasks by name, contributions as multi-bindings, plugins by name', async () => {
    const point = Symbol('point');
    const k = await boot({
      plugins: [taskPlugin('a', 'ta', { register: (ctx) => (ctx.addTask('ta', new SimpleTask(() => 1)), ctx.contribute(point, 'from a')) }), taskPlugin('b', 'tb', { register: (ctx) => ctx.contribute(point, 'from b') })],
      sites: { '': { services: { S: {} } } },
    });
    const container = k.root.container;
    expect(container.getAll(point)).toEqual(['from a', 'from b']);
    expect(k.contributions(point)).toEqual(['from a', 'from b']);
    expect(container.get(TaskToken, { name: 'ta' })).toBe(k.getService('@S').getTask('ta'));
    expect(container.get(TaskServiceToken, { name: 'S' })).toBe(k.getService('@S'));
    expect(k.pluginNames()).toEqual(['a', 'b']);
  });

  it('lets a plugin provide a service that later plugins and tasks look up', async () => {
    const Greeter: Token<{ greet(name: string): string }> = Symbol('Greeter');
    const seenAtRegister: unknown[] = [];
    const provider = definePlugin({ name: 'provider', register: (ctx) => ctx.provide(Greeter, { greet: (name) => `hello ${name}` }) });
    const user = definePlugin({
      name: 'user',
      dependencies: ['provider'],
      register(ctx) {
        seenAtRegister.push(ctx.lookup(Greeter)?.greet('ctx'), ctx.lookup(Symbol('nothing')));
        ctx.addTask('greet', new SimpleTask((input: string, context) => context.lookup(Greeter)!.greet(input)), { site: 'site1' });
      },
    });
    const k = await boot({ plugins: [user, provider], sites: { site1: { services: { S: {} } } } });
    expect(seenAtRegister).toEqual(['hello ctx', undefined]);
    expect(k.lookup(Greeter)?.greet('kernel')).toBe('hello kernel');
    const service = k.getService('site1@S');
    const id = await service.add('greet', 'task');
    await service.process();
    expect(await service.getResult(id)).toBe('hello task');
    const twice = definePlugin({ name: 'twice', register: (ctx) => ctx.provide(Greeter, { greet: () => '' }) });
    await expect(createKernel({ store: { kind: 'memory' }, plugins: [provider, twice] }, { logger: captureLog().logger })).rejects.toThrow(
      'plugin "twice" provides Greeter, which another plugin provides already',
    );
  });

  it('runs stopping handlers before the processors stop, then close handlers, each in reverse plugin order', async () => {
    const seen: string[] = [];
    const plugin = (name: string) =>
      definePlugin({
        name,
        register(ctx) {
          ctx.on('stopping', (kernel) => void seen.push(`${name} stopping, processing: ${kernel.processors().length}`));
          ctx.on('close', (kernel) => void seen.push(`${name} close, processing: ${kernel.processors().length}`));
        },
      });
    const k = await boot({ plugins: [plugin('first'), plugin('second')], sites: { '': { services: { S: {} } } }, autostart: ['@S'] }, { autostart: true });
    await k.close();
    expect(seen).toEqual([
      'second stopping, processing: 1',
      'first stopping, processing: 1',
      'second close, processing: 0',
      'first close, processing: 0',
    ]);
  });
});

describe('createKernel: plugin options', () => {
  const optioned = definePlugin({
    name: 'optioned',
    options: {
      schema: { type: 'object', additionalProperties: false, properties: { size: { type: 'integer', minimum: 1 }, names: { type: 'object' } } },
      check: (options: { names?: Record<string, string> }, key) =>
        Object.entries(options.names ?? {}).filter(([, value]) => value === '').map(([name]) => `${key('names', name)} may not be empty`),
    },
    register: (ctx) => void seenOptions.push(ctx.options),
  });
  let seenOptions: unknown[] = [];
  afterEach(() => {
    seenOptions = [];
  });

  it('takes the options from the key of the plugin\'s name and from [plugin, options], the key winning', async () => {
    const k = await boot({ plugins: [[optioned, { size: 1, names: {} }]], optioned: { size: 2 } });
    expect(seenOptions).toEqual([{ size: 2, names: {} }]);
    expect(k.optionsOf('optioned')).toEqual({ size: 2, names: {} });
  });

  it('checks them at boot, naming the key of every problem', async () => {
    const attempt = (config: RemotetaskConfig) => createKernel({ store: { kind: 'memory' }, ...config }, { configFile: 'remotetask.config.ts', logger: captureLog().logger });
    await expect(attempt({ plugins: [optioned], optioned: { size: 0, colour: 'red' } })).rejects.toThrow(
      'invalid config in remotetask.config.ts:\n  - optioned.colour: unknown key "colour" (known keys: size, names)\n  - optioned.size must be >= 1, got 0',
    );
    await expect(attempt({ plugins: ['echo', [optioned, { names: { a: '' } }]] })).rejects.toThrow(/^invalid config in remotetask\.config\.ts:\n  - plugins\[1\]\[1\]\.names\.a may not be empty$/);
    expect(seenOptions).toEqual([]);
    // A plugin whose own reading of its options throws: its message is the problem.
    await expect(attempt({ plugins: [['files', { retention: 'forever' }]] })).rejects.toThrow(
      /^invalid config in remotetask\.config\.ts:\n  - plugin "files": option retention must be milliseconds or a duration like "7d"/,
    );
  });

  it('checks the key of a plugin that is not loaded, and refuses a key that names no plugin', async () => {
    await expect(boot({ echo: 'loud' })).rejects.toThrow(/echo must be an object of the plugin's options, got "loud"/);
    await expect(boot({ autostrat: [] })).rejects.toThrow(
      'autostrat: unknown key "autostrat" (known keys: store, plugins, sites, autostart, defaults, log, or the name of a plugin to configure)',
    );
  });
});

describe('createKernel: sites and services', () => {
  it('finds services by address and says clearly when an address names none', async () => {
    const k = await boot({ sites: { '': { services: { Root: {} } }, site1: { services: { A: {}, B: {} } } } });
    expect(k.getService('@Root').address).toBe('@Root');
    expect(k.getService('site1@B').address).toBe('site1@B');
    expect(() => k.getService('Root')).toThrow('"Root" is not a service address: write site@Service, or @Service for the root site');
    expect(() => k.getService('site9@A')).toThrow('site "site9" not found (sites: "" (root), "site1")');
    expect(() => k.getService('site1@C')).toThrow('service "C" not found in site site1 (services: site1@A, site1@B)');
    expect(() => k.getService('site1@Root')).toThrow('service "Root" not found in site site1');
  });

  it('starts the autostart directives at boot and stops every processor at close', async () => {
    const k = await boot(
      { sites: { '': { services: { Root: {} } }, site1: { services: { A: {} } } }, autostart: ['*@*'] },
      { autostart: true },
    );
    expect(k.processors()).toEqual(['remotetasks.Root', 'remotetasks.site1.A']);
    await k.close();
    expect(k.processors()).toEqual([]);
  });

  it('applies the config defaults under each service, and the service over the defaults', async () => {
    const k = await boot({
      defaults: { maxAttempts: 5, backoff: { base: 10 } },
      sites: { '': { services: { A: {}, B: { maxAttempts: 2, processor: 'multi', maxConcurrency: 8 } } } },
    });
    expect(k.getService('@A').options).toMatchObject({ maxAttempts: 5, processor: 'simple', backoff: { base: 10, factor: 2 } });
    expect(k.getService('@B').options).toMatchObject({ maxAttempts: 2, processor: 'multi', maxConcurrency: 8 });
  });

  it('adds the cron jobs the config declares once, and follows a changed schedule', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'remotetask-cron-'));
    const config = (minute: number[]): RemotetaskConfig => ({
      store: { kind: 'sqlite', path: join(dir, 'jobs.db') },
      plugins: ['echo'],
      sites: { '': { services: { Svc: { cron: [{ task: 'echo', input: { report: 'daily' }, minute }] } } } },
    });
    let k = await boot(config([0]));
    await k.close();
    k = await boot(config([0]));
    let jobs = await k.getService('@Svc').jobs.all();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ status: 'cronjob', task: 'echo', schedule: { minute: [0] } });
    await k.close();
    k = await boot(config([30]));
    jobs = await k.getService('@Svc').jobs.all();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.schedule).toEqual({ minute: [30] });
    expect(new Date(jobs[0]!.runAt).getUTCMinutes()).toBe(30);
  });
});
