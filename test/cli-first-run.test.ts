/**
 * What a newcomer meets first, with real processes: `--version`, a worker with nothing to process,
 * the config found from a subfolder of the project, and the first lines of `serve` saying what to open.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, spawnRemotetask } from './helpers/spawn-remotetask.js';
import { e2eConfig, startRemotetaskServer } from './helpers/start-remotetask-server.js';

const projects: string[] = [];
/** A project folder: a package.json and a config file at its root, and a subfolder to start from. */
function project(config: Record<string, unknown>): { root: string; deep: string; file: string } {
  const root = mkdtempSync(join(tmpdir(), 'remotetask-first-run-'));
  projects.push(root);
  writeFileSync(join(root, 'package.json'), '{ "name": "my-app", "type": "module" }');
  const file = join(root, 'remotetask.config.mjs');
  writeFileSync(file, `export default ${JSON.stringify(config)};\n`);
  const deep = join(root, 'src', 'jobs');
  mkdirSync(deep, { recursive: true });
  return { root, deep, file };
}
afterAll(() => {
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

describe('remotetask', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const run = spawnRemotetask([flag]);
      expect((await run.exited).code).toBe(0);
      expect(run.output().trim()).toBe(version);
    }
  });

  it('worker: with no service to process, says so and exits 1', async () => {
    const { deep } = project({ store: { kind: 'memory' }, sites: { '': { services: { Mail: {} } } }, autostart: [] });
    const run = spawnRemotetask(['worker'], {}, deep);
    expect((await run.exited).code).toBe(1);
    expect(run.output()).toMatch(
      /remotetask: this worker has nothing to process: no autostart directive of the config started a service \(its services: @Mail\); name them in autostart, e\.g\. autostart: \['@Mail'\]/,
    );
  });

  it('finds the config above the working directory, up to the project root, and says which file it booted from', async () => {
    const { deep, file } = project({ store: { kind: 'memory' }, sites: { '': { services: { Mail: {} } } }, autostart: ['@Mail'] });
    const run = spawnRemotetask(['worker'], {}, deep);
    try {
      await run.waitForOutput(new RegExp(`remotetask booted from ${file.replace(/[.]/g, '\\.')}: store memory, plugins \\(none\\), services @Mail`));
      await run.waitForOutput(/processing: remotetasks\.Mail/);
      run.child.kill('SIGTERM');
      expect((await run.exited).code).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});

describe('remotetask serve', () => {
  it('says in its first lines where the dashboard and the API docs are', async () => {
    const server = await startRemotetaskServer(e2eConfig());
    try {
      const line = await server.waitForOutput(/open the dashboard at (\S+), the API docs at (\S+) \(the OpenAPI document: (\S+)\)/);
      expect(line.slice(1)).toEqual([`${server.url}/`, `${server.url}/docs`, `${server.url}/openapi.json`]);
      await server.waitForOutput(/handling event IStartRemoteTasksEvent/);
      const lines = server.output().split('\n');
      expect(lines.findIndex((text) => text.includes('open the dashboard'))).toBeLessThan(lines.findIndex((text) => text.includes('handling event IStartRemoteTasksEvent')));
      // What it points at is there.
      expect((await fetch(line[1]!)).headers.get('content-type')).toMatch(/^text\/html/);
      expect((await fetch(line[2]!)).status).toBe(200);
      expect(((await (await fetch(line[3]!)).json()) as { openapi: string }).openapi).toMatch(/^3\./);
    } finally {
      await server.stop();
    }
  });
});
