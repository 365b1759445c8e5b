import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig, storeFromEnvironment } from './load-config.js';
import { validateConfig } from './validate-config.js';

const dirs: string[] = [];
async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'remotetask-config-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

afterEach(() => {
  delete process.env.REMOTETASK_STORE;
});

const sample = {
  store: { kind: 'sqlite', path: './data/remotetask.db' },
  plugins: ['echo', './my-plugins/thumbnail.ts'],
  sites: {
    '': { services: { RootTaskService: { processor: 'simple' } } },
    site1: { services: { TestTaskService1: { processor: 'multi', maxConcurrency: 4 } } },
  },
  autostart: ['@RootTaskService', 'site1@*'],
};

describe('loadConfig', () => {
  it('loads remotetask.config.ts written with defineConfig', async () => {
    const dir = await project({
      'remotetask.config.ts': `import { defineConfig } from 'remotetask';
        export default defineConfig(${JSON.stringify(sample)});`,
    });
    const loaded = await loadConfig({ cwd: dir });
    expect(loaded.file).toBe(join(dir, 'remotetask.config.ts'));
    expect(loaded.baseDir).toBe(dir);
    expect(loaded.config).toEqual(sample);
  });

  it('loads the same config as JSON, as an rc file and from package.json', async () => {
    for (const [name, text] of [
      ['remotetask.config.json', JSON.stringify(sample)],
      ['.remotetaskrc', JSON.stringify(sample)],
      ['package.json', JSON.stringify({ name: 'host-app', remotetask: sample })],
    ] as const) {
      const dir = await project({ [name]: text });
      const loaded = await loadConfig({ cwd: dir });
      expect(loaded.file).toBe(join(dir, name));
      expect(loaded.config).toEqual(sample);
    }
  });

  it('loads the file given with --config, relative to the working directory', async () => {
    const dir = await project({ 'ops.json': JSON.stringify({ autostart: ['*@*'] }) });
    expect((await loadConfig({ cwd: dir, file: 'ops.json' })).config).toEqual({ autostart: ['*@*'] });
  });

  it('says when the given file does not exist', async () => {
    const dir = await project({});
    await expect(loadConfig({ cwd: dir, file: 'nope.ts' })).rejects.toThrow(
      `invalid config in ${join(dir, 'nope.ts')}:\n  - the config file does not exist`,
    );
  });

  it('says when a JSON config is malformed', async () => {
    const dir = await project({ 'remotetask.config.json': '{ "autostart": [ }' });
    await expect(loadConfig({ cwd: dir })).rejects.toThrow(/the config file cannot be read: /);
  });

  it('falls back to the defaults when no config file exists', async () => {
    const dir = await project({});
    expect(await loadConfig({ cwd: dir })).toEqual({ config: {}, file: undefined, baseDir: dir });
  });

  it('looks up from the working directory to the project root (the nearest package.json), not beyond', async () => {
    const root = await project({ 'package.json': '{ "name": "app" }', 'remotetask.config.json': JSON.stringify({ autostart: ['@Root'] }) });
    const deep = join(root, 'src', 'jobs');
    await mkdir(deep, { recursive: true });
    const loaded = await loadConfig({ cwd: deep });
    expect(loaded.file).toBe(join(root, 'remotetask.config.json'));
    expect(loaded.baseDir).toBe(root);
    expect(loaded.config.autostart).toEqual(['@Root']);
    // A package of its own below the root is a project of its own: the search stops at its package.json.
    const nested = join(root, 'packages', 'tool');
    await mkdir(nested, { recursive: true });
    await writeFile(join(nested, 'package.json'), '{ "name": "tool" }');
    expect((await loadConfig({ cwd: nested })).file).toBeUndefined();
  });

  it('takes the store from REMOTETASK_STORE over the file', async () => {
    const dir = await project({ 'remotetask.config.json': JSON.stringify(sample) });
    process.env.REMOTETASK_STORE = 'postgres://postgres@127.0.0.1:5432/jobs';
    expect((await loadConfig({ cwd: dir })).config.store).toEqual({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/jobs' });
    expect(storeFromEnvironment('memory')).toEqual({ kind: 'memory' });
    expect(storeFromEnvironment('sqlite:/var/lib/jobs.db')).toEqual({ kind: 'sqlite', path: '/var/lib/jobs.db' });
    expect(() => storeFromEnvironment('mysql://root:secret@db/x')).toThrow(
      '"mysql://***@db/x" is not a store: use memory, sqlite:<path> or postgres://user@host:port/database',
    );
  });

  it('names the file and the key of an invalid config', async () => {
    const dir = await project({
      'remotetask.config.json': JSON.stringify({ ...sample, sites: { site1: { services: { S: { processor: 'threads' } } } } }),
    });
    const error = (await loadConfig({ cwd: dir }).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      `invalid config in ${join(dir, 'remotetask.config.json')}:\n  - sites.site1.services.S.processor must be one of "simple", "multi", got "threads"`,
    );
  });
});

describe('validateConfig', () => {
  const problems = (config: unknown) => {
    try {
      validateConfig(config, 'remotetask.config.ts');
      return [];
    } catch (error) {
      return (error as ConfigError).problems;
    }
  };

  it('accepts the documented shape', () => {
    expect(problems(sample)).toEqual([]);
    expect(problems({ store: { kind: 'memory' } })).toEqual([]);
    expect(problems({ store: { kind: 'postgres', url: 'postgres://x' } })).toEqual([]);
  });

  it('names unknown keys, with the known ones', () => {
    // An unknown key at the top may be a plugin's: checked at boot (create-kernel.test.ts).
    expect(problems({ sites: { '': { services: { S: { concurrency: 3 } } } } })[0]).toMatch(
      /^sites\[""\]\.services\.S\.concurrency: unknown key "concurrency" \(known keys: processor, maxConcurrency, /,
    );
  });

  it('says what a store needs', () => {
    expect(problems({ store: { kind: 'sqlite' } })).toEqual(['store.path is required']);
    expect(problems({ store: { kind: 'redis' } })).toEqual(['store.kind must be one of "sqlite", "memory", "postgres", got "redis"']);
    expect(problems({ store: { kind: 'memory', path: 'x' } })).toEqual([
      'store.path: unknown key "path" (known keys: kind)',
    ]);
  });

  it('refuses a bad directive and says what one looks like', () => {
    expect(problems({ autostart: ['site1', '@ok', 'a@b@c'] })).toEqual([
      'autostart[0]: "site1" is not an autostart directive: it needs exactly one "@"; write site@Service, @Service for the root site, or use * for every site or service (site@*, *@*, *@Service)',
      'autostart[2]: "a@b@c" is not an autostart directive: it needs exactly one "@"; write site@Service, @Service for the root site, or use * for every site or service (site@*, *@*, *@Service)',
    ]);
  });

  it('refuses a bad cron spec of a declared cron job', () => {
    expect(problems({ sites: { '': { services: { S: { cron: [{ task: 'echo', hour: [25] }] } } } } })).toEqual([
      'sites[""].services.S.cron[0]: hour: 25 is out of range 0-23',
    ]);
    expect(problems({ sites: { '': { services: { S: { cron: [{ task: 'echo', cron: '* * *' }] } } } } })[0]).toMatch(
      /^sites\[""\]\.services\.S\.cron\[0\]: cron expressions take 5 fields/,
    );
  });

  it('refuses wrong types and values with what was given', () => {
    expect(problems({ defaults: { maxAttempts: 0 } })).toEqual(['defaults.maxAttempts must be >= 1, got 0']);
    expect(problems({ defaults: { maxConcurrency: 'four' } })).toEqual(['defaults.maxConcurrency must be a whole number, got "four"']);
    expect(problems({ plugins: [42] })).toEqual(['plugins[0] must be a plugin name, a path, a plugin object or [plugin, options], got 42']);
    expect(problems([])).toEqual(['the config must be an object, got []']);
  });
});
