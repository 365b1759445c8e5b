/**
 * The package as a third party gets it: built, packed with `npm pack`, installed into a scratch
 * project. There the plugin of docs/plugin-authors.md — adding an HTTP route through
 * `remotetask/http` — is typechecked against the installed types, and the installed `remotetask
 * serve` (compiled code, no tsx for the CLI) serves its route over real HTTP.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from './helpers/run-process.js';
import { REPO_ROOT, type RunningProcess, spawnWatched } from './helpers/spawn-remotetask.js';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** The code block the guide marks as the third-party plugin: what the guide shows is what is tested. */
function documentedPlugin(): string {
  const guide = readFileSync(join(REPO_ROOT, 'docs', 'plugin-authors.md'), 'utf8');
  const match = /<!-- third-party-plugin -->\s*```ts\n([\s\S]*?)```/.exec(guide);
  if (!match) throw new Error('docs/plugin-authors.md has no ```ts block after <!-- third-party-plugin -->');
  return match[1];
}

async function run(command: string, args: string[], cwd: string, timeout: number): Promise<string> {
  const result = await runProcess(command, args, { cwd, timeout, env: { npm_config_loglevel: 'error' } });
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

describe('the packed package, installed into a scratch project', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'remotetask-packed-'));
  const app = join(scratch, 'app');
  let server: RunningProcess | undefined;

  beforeAll(async () => {
    await run(NPM, ['run', 'build'], REPO_ROOT, 120_000);
    await run(NPM, ['pack', '--pack-destination', scratch], REPO_ROOT, 60_000);
    const tarball = join(scratch, readdirSync(scratch).find((name) => name.endsWith('.tgz'))!);
    rmSync(app, { recursive: true, force: true });
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', type: 'module', private: true }));
    // Every dependency is in npm's cache already; no install script is needed for a memory store.
    // tsx, an optional peer, is installed as the guide says a project with a TypeScript plugin does.
    const tsx = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.tsx;
    await run(NPM, ['install', tarball, `tsx@${tsx}`, '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], app, 120_000);
    writeFileSync(join(app, 'hello-plugin.ts'), documentedPlugin());
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['hello-plugin.ts'] }),
    );
    writeFileSync(
      join(app, 'remotetask.config.mjs'),
      `export default ${JSON.stringify({ store: { kind: 'memory' }, plugins: ['./hello-plugin.ts'], http: { port: 0 } })};\n`,
    );
  }, 300_000);

  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  it('exports remotetask/http with its types: the documented plugin typechecks against the installed package', async () => {
    await run(process.execPath, [TSC, '-p', join(app, 'tsconfig.json')], app, 60_000);
  }, 90_000);

  it('serves the third-party route from the installed `remotetask serve`, and stops cleanly', async () => {
    server = spawnWatched(process.execPath, [join(app, 'node_modules', 'remotetask', 'bin', 'remotetask.js'), 'serve'], { cwd: app });
    const [, url] = await server.waitForOutput(/listening on (http:\/\/\S+)/, 30_000);
    const hello = await fetch(`${url}/hello/ada`);
    expect(hello.status).toBe(200);
    expect(await hello.json()).toEqual({ hello: 'ada' });
    const missing = await fetch(`${url}/hello/nobody`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'nobody is here' } });
    // The built-in routes and the dashboard are served from the compiled plugins beside it.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/`)).headers.get('content-type')).toMatch(/^text\/html/);
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    expect(server.output()).toMatch(/stopped listening on/);
  }, 60_000);
});
