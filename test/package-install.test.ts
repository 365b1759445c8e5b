/**
 * The package as a user gets it: built, packed with `npm pack`, unpacked into another project's
 * node_modules (its dependencies linked in, tsx left out), then used there with real processes —
 * `import … from 'remotetask'`, the CLI, a TypeScript config without tsx.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/spawn-remotetask.js';

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
const work = mkdtempSync(join(tmpdir(), 'remotetask-package-'));
const app = join(work, 'app');
const installed = join(app, 'node_modules', 'remotetask');
let packed: string[];

const run = (args: string[], cwd = app) => spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, REMOTETASK_LOG_FORMAT: 'pretty' } });

beforeAll(() => {
  // Built and packed from a copy, so nothing is written into the repository.
  const stage = join(work, 'stage');
  mkdirSync(stage);
  execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(REPO_ROOT, 'tsconfig.build.json'), '--outDir', join(stage, 'dist')], { cwd: REPO_ROOT });
  cpSync(join(REPO_ROOT, 'plugins/dashboard/assets'), join(stage, 'dist/plugins/dashboard/assets'), { recursive: true });
  for (const file of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'bin']) cpSync(join(REPO_ROOT, file), join(stage, file), { recursive: true });
  const [result] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: stage, encoding: 'utf8' })) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packed = result!.files.map((file) => file.path);
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['xzf', join(work, result!.filename), '-C', installed, '--strip-components=1']);
  // The dependencies as npm would install them beside it; tsx, an optional peer, is not installed.
  for (const dependency of Object.keys(manifest.dependencies)) {
    const target = join(app, 'node_modules', dependency);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(realpathSync(join(REPO_ROOT, 'node_modules', dependency)), target);
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'my-app', private: true, type: 'module' }));
}, 240_000);
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds the licence, the changelog and the README, and no TypeScript sources but its declarations', () => {
    expect(packed).toEqual(expect.arrayContaining(['LICENSE', 'CHANGELOG.md', 'README.md', 'package.json', 'bin/remotetask.js', 'dist/core/index.js']));
    expect(packed.filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'))).toEqual([]);
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^Zope Public License \(ZPL\) Version 2\.1/);
  });

  it('ships source maps with their sources inside them', () => {
    const maps = packed.filter((path) => path.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(50);
    for (const path of maps) {
      const map = JSON.parse(readFileSync(join(installed, path), 'utf8')) as { sources: string[]; sourcesContent?: Array<string | null> };
      expect(map.sourcesContent?.length, path).toBe(map.sources.length);
      expect(map.sourcesContent!.every((content) => typeof content === 'string' && content.length > 0), path).toBe(true);
    }
  });

  it('is imported as `remotetask` from another project, and runs a job', () => {
    writeFileSync(
      join(app, 'main.mjs'),
      `import { createKernel, SimpleTask, definePlugin } from 'remotetask';
       import manifest from 'remotetask/package.json' with { type: 'json' };
       const plugin = definePlugin({ name: 'mine', register(ctx) { ctx.addTask('double', new SimpleTask((n) => n * 2)); } });
       const kernel = await createKernel({ store: { kind: 'memory' }, plugins: ['echo', plugin], sites: { '': { services: { S: {} } } } }, { autostart: false });
       const service = kernel.getService('@S');
       const id = await service.add('double', 21);
       await service.processNext();
       console.log(JSON.stringify({ version: manifest.version, result: await service.getResult(id), tasks: Object.keys(await service.getAvailableTasks()).sort() }));
       await kernel.close();`,
    );
    const result = run(['main.mjs']);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout.trim().split('\n').pop()!)).toEqual({ version: manifest.version, result: 42, tasks: ['double', 'echo'] });
  });

  it('runs its CLI from dist: --version', () => {
    const result = run([join(installed, 'bin/remotetask.js'), '--version']);
    expect(result).toMatchObject({ status: 0, stdout: `${manifest.version}\n` });
  });

  it('says to install tsx when a TypeScript config needs it', () => {
    expect(existsSync(join(app, 'node_modules', 'tsx'))).toBe(false);
    writeFileSync(join(app, 'remotetask.config.ts'), 'const config: object = { store: { kind: "memory" } };\nexport default config;\n');
    const result = run([join(installed, 'bin/remotetask.js'), 'worker']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /the config file cannot be read: \S*remotetask\.config\.ts is TypeScript, which Node cannot load by itself: install tsx beside remotetask \(npm install --save-dev tsx\), or compile it to JavaScript/,
    );
    expect(readdirSync(app)).not.toContain('data');
  });
});
