/**
 * Every number a job is added with is bounded at the API, with a 400 that says what would do, the
 * same on every store: a timeout of 2^31 ms or more (Node's timers fire at once from there), a
 * delay past what a store holds, a job id past what JSON holds exactly. Nothing is stored for a
 * refused request; the largest accepted timeout really lets a job run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DELAY_SECONDS, MAX_TIMEOUT_MS, type Kernel, type StoreConfig } from '../core/index.js';
import { jobCount, type ServedTestKernel, serveHttpTestKernel } from './helpers/http-test-kernel.js';
import { createTemporaryDatabase, type TemporaryDatabase } from './helpers/temporary-postgres.js';
import { waitUntil } from './helpers/wait-for.js';

const ROOT = '/api/services/@RootTaskService';

const stores: Array<[string, () => Promise<{ store: StoreConfig; cleanup: () => Promise<void> }>]> = [
  ['memory', async () => ({ store: { kind: 'memory' }, cleanup: async () => undefined })],
  ['SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'remotetask-bounds-'));
    return { store: { kind: 'sqlite', path: join(dir, 'jobs.db') }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }],
  ['PostgreSQL', async () => {
    const database: TemporaryDatabase = await createTemporaryDatabase('bounds');
    return { store: { kind: 'postgres', url: database.url }, cleanup: () => database.drop() };
  }],
];

describe.each(stores)('on %s', (_name, makeStore) => {
  let served: ServedTestKernel;
  let kernel: Kernel;
  let base: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const made = await makeStore();
    cleanup = made.cleanup;
    served = await serveHttpTestKernel({ store: made.store });
    ({ kernel, base } = served);
  });
  afterAll(async () => {
    await served?.close();
    await cleanup?.();
  });

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }

  /** A 400 whose message matches, and nothing stored. */
  async function refused(method: string, path: string, body: unknown, message: RegExp): Promise<void> {
    const before = await jobCount(kernel);
    const answer = await call(method, path, body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.error.message).toMatch(message);
    expect(await jobCount(kernel)).toBe(before);
  }

  it('refuses a timeout of 2^31 ms or more, or one that is no whole number, with a 400', async () => {
    for (const timeout of [2 ** 31, 1e300, 2 ** 53]) await refused('POST', `${ROOT}/jobs`, { task: 'echo', timeout }, /body\/timeout must be <= 2147483647/);
    // Written out, 1e300 is 301 digits of JSON: the same answer.
    await refused('POST', `${ROOT}/jobs`, `{"task":"echo","timeout":1${'0'.repeat(300)}}`, /body\/timeout must be <= 2147483647/);
    for (const timeout of [0, -1, 0.5]) await refused('POST', `${ROOT}/jobs`, { task: 'echo', timeout }, /body\/timeout must be/);
    await refused('POST', `${ROOT}/jobs`, { task: 'echo', timeout: '1000' }, /body\/timeout must be integer/);
  });

  it('runs a job with the longest timeout there is: the timer does not fire at once', async () => {
    const added = await call('POST', `${ROOT}/jobs`, { task: 'echo', input: 'long', timeout: MAX_TIMEOUT_MS });
    expect(added.status).toBe(201);
    await kernel.getService('@RootTaskService').process();
    await waitUntil(async () => (await call('GET', `${ROOT}/jobs/${added.body.id}`)).body.status === 'completed', { what: 'the job to complete' });
    expect((await call('GET', `${ROOT}/jobs/${added.body.id}`)).body).toMatchObject({ status: 'completed', result: 'long', timeout: MAX_TIMEOUT_MS });
  });

  it('refuses a delay past 100 years, or none at all, with a 400 for a new job and a reschedule alike', async () => {
    for (const delay of [1e300, 1e15, MAX_DELAY_SECONDS + 1]) {
      await refused('POST', `${ROOT}/cronjobs`, { task: 'echo', delay }, /delay must be a positive number of seconds, at most 3155760000 \(100 years\)/);
    }
    await refused('POST', `${ROOT}/cronjobs`, { task: 'echo', delay: 0 }, /delay must be a positive number of seconds/);
    const longest = await call('POST', `${ROOT}/cronjobs`, { task: 'echo', delay: MAX_DELAY_SECONDS });
    expect(longest.status).toBe(201);
    const job = (await call('GET', `${ROOT}/jobs/${longest.body.id}`)).body;
    expect(job.status).toBe('delayed');
    expect(Date.parse(job.nextRunAt) - Date.parse(job.created)).toBe(MAX_DELAY_SECONDS * 1000);
    const patched = await call('PATCH', `${ROOT}/jobs/${longest.body.id}`, { delay: 1e300 });
    expect(patched.status).toBe(400);
    expect(patched.body.error.message).toMatch(/at most 3155760000/);
    expect((await call('GET', `${ROOT}/jobs/${longest.body.id}`)).body.nextRunAt).toBe(job.nextRunAt);
  });

  it('refuses job ids that are no plain decimal number in range: 400, not another job', async () => {
    const id = (await call('POST', `${ROOT}/jobs`, { task: 'echo' })).body.id as number;
    expect((await call('GET', `${ROOT}/jobs/${id}`)).status).toBe(200);
    for (const written of [`0x${id.toString(16)}`, `${id}e0`, `${id}.0`, ` ${id}`, `+${id}`, '9007199254740993', '99999999999999999999']) {
      const answer = await call('GET', `${ROOT}/jobs/${encodeURIComponent(written)}`);
      expect(answer.status, written).toBe(400);
      expect(answer.body.error.message).toMatch(/^params\/id must be/);
    }
    expect((await call('POST', `${ROOT}/jobs/9007199254740991/cancel`)).status).toBe(404);
  });

  it('the TaskService API itself refuses the same bounds', async () => {
    const service = kernel.getService('@RootTaskService');
    const before = await jobCount(kernel);
    await expect(service.add('echo', null, { timeout: 2 ** 31 })).rejects.toThrow(/timeout must be an integer number of milliseconds from 1 to 2147483647/);
    await expect(service.addCronJob('echo', null, { delay: 1e300 })).rejects.toThrow(/at most 3155760000/);
    expect(await jobCount(kernel)).toBe(before);
  });
});
