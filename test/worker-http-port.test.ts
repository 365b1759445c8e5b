/**
 * Issue 14: `remotetask worker --http-port N` serves the worker's own /healthz and /metrics, so
 * each worker can be probed and scraped; nothing else is served there.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { e2eConfig, writeTemporaryConfig } from './helpers/start-remotetask-server.js';
import { type RunningProcess, spawnRemotetask } from './helpers/spawn-remotetask.js';

let worker: RunningProcess | undefined;
let remove: (() => void) | undefined;
afterEach(async () => {
  if (worker && worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
  await worker?.exited;
  worker = undefined;
  remove?.();
});

describe('remotetask worker --http-port', { timeout: 60_000 }, () => {
  it('serves the worker\'s health and metrics, and says what it does not serve', async () => {
    const written = writeTemporaryConfig(e2eConfig());
    remove = written.remove;
    worker = spawnRemotetask(['worker', '--config', written.file, '--http-port', '0'], { REMOTETASK_STORE: '', REMOTETASK_LOG_FORMAT: 'pretty' });
    const [, url] = await worker.waitForOutput(/worker health and metrics on (http:\/\/\S+)/, 30_000);

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('remotetask_service_processing{service="@RootTaskService"} 1');
    expect(metrics).toMatch(/^process_cpu_user_seconds_total \d/m);

    const other = await fetch(`${url}/api/sites`);
    expect(other.status).toBe(404);
    expect(await other.text()).toMatch(/a worker serves \/healthz and \/metrics/);

    worker.child.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);
  });

  it('refuses a port that is not one, before it boots', async () => {
    const written = writeTemporaryConfig(e2eConfig());
    remove = written.remove;
    worker = spawnRemotetask(['worker', '--config', written.file, '--http-port', 'eighty'], { REMOTETASK_STORE: '' });
    const { code } = await worker.exited;
    expect(code).not.toBe(0);
    expect(worker.output()).toMatch(/--http-port.*whole number from 0 to 65535/);
  });
});
