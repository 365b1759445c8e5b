/**
 * Errors that escape an inline task — a throw from a timer, an unhandled rejection, a throw from a
 * microtask — fail that task's job and leave the process up: a real `remotetask serve` and a real
 * `remotetask worker`.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRemotetask } from './helpers/spawn-remotetask.js';
import { e2eConfig, type RunningServer, startRemotetaskServer, writeTemporaryConfig } from './helpers/start-remotetask-server.js';
import { waitUntil } from './helpers/wait-for.js';

const TASKS = fileURLToPath(new URL('./fixtures/stray-errors/stray-error-tasks.mjs', import.meta.url));
const ROOT = '/api/services/@RootTaskService';

describe('remotetask serve', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startRemotetaskServer(e2eConfig({ plugins: ['echo', './e2e-tasks.mjs', TASKS] }));
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function runToEnd(task: string, input?: unknown): Promise<{ id: number; status: string; error: string }> {
    const body = JSON.stringify({ task, input });
    const added = await fetch(`${server.url}${ROOT}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(added.status).toBe(201);
    const { id } = (await added.json()) as { id: number };
    let job = { id, status: 'queued', error: '' };
    await waitUntil(
      async () => {
        job = (await (await fetch(`${server.url}${ROOT}/jobs/${id}`)).json()) as typeof job;
        return job.status !== 'queued' && job.status !== 'processing';
      },
      { timeout: 15_000, interval: 50, what: `job ${id} (${task}) to end`, detail: () => server.output() },
    );
    return job;
  }

  it('fails the job whose timer threw, logs the job and task, and stays up', async () => {
    const job = await runToEnd('timer-throw');
    expect(job).toMatchObject({ status: 'error', error: 'boom from a timer' });
    expect(server.output()).toMatch(
      new RegExp(`uncaught exception from job ${job.id} \\(task timer-throw, service @RootTaskService\\): the job fails, the process stays up: boom from a timer`),
    );
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('fails the job that left a rejection unhandled', async () => {
    const job = await runToEnd('reject-later');
    expect(job).toMatchObject({ status: 'error', error: 'nobody handles this rejection' });
    expect(server.output()).toMatch(new RegExp(`unhandled rejection from job ${job.id} \\(task reject-later, service @RootTaskService\\): the job fails`));
  });

  it('fails the one running job when the error lost its async context (a microtask), saying it most likely came from there', async () => {
    const job = await runToEnd('microtask-throw');
    expect(job).toMatchObject({ status: 'error', error: 'boom from a microtask' });
    expect(server.output()).toMatch(new RegExp(`uncaught exception most likely from job ${job.id} \\(task microtask-throw, service @RootTaskService\\)`));
    // Still serving, still processing.
    expect(await runToEnd('greet', { name: 'you' })).toMatchObject({ status: 'completed' });
    expect(server.child.exitCode).toBeNull();
  });
});

describe('remotetask worker', () => {
  it('fails each job whose task let an error escape, and goes on with the next', async () => {
    const written = writeTemporaryConfig(e2eConfig({ plugins: [[TASKS, { addAtBoot: true }]] }));
    const worker = spawnRemotetask(['worker', '--config', written.file], { REMOTETASK_LOG_FORMAT: 'pretty' });
    try {
      await worker.waitForOutput(/still alive after the stray errors/, 20_000);
      const output = worker.output();
      expect(output).toMatch(/uncaught exception from job 1 \(task timer-throw, service @RootTaskService\): the job fails/);
      expect(output).toMatch(/job 1 \(task timer-throw\) failed on attempt 1 of 1: boom from a timer/);
      expect(output).toMatch(/unhandled rejection from job 2 \(task reject-later, service @RootTaskService\): the job fails/);
      expect(output).toMatch(/uncaught exception most likely from job 3 \(task microtask-throw, service @RootTaskService\): the job fails/);
      worker.child.kill('SIGTERM');
      expect((await worker.exited).code).toBe(0);
    } finally {
      worker.child.kill('SIGKILL');
      written.remove();
    }
  });
});
