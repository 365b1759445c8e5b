/**
 * What the CLI and the dashboard say about jobs, against a real `remotetask serve`: `jobs` shows a
 * next run only for jobs that wait for one, `cancel` of a running job says it was asked to stop,
 * and the overview counts start-later jobs.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-process.js';
import { e2eConfig, type RunningServer, startRemotetaskServer } from './helpers/start-remotetask-server.js';
import { waitUntil } from './helpers/wait-for.js';

const UNTIL_CANCELLED = fileURLToPath(new URL('./fixtures/cli/until-cancelled-task.mjs', import.meta.url));
let server: RunningServer;

beforeAll(async () => {
  server = await startRemotetaskServer(
    e2eConfig({ plugins: ['echo', './e2e-tasks.mjs', UNTIL_CANCELLED], sites: { '': { services: { RootTaskService: { processor: 'multi', maxConcurrency: 2 } } } } }),
  );
});
afterAll(async () => {
  await server?.stop();
});

const cli = (...args: string[]) => runCli([...args, '--url', server.url]);
const rowOf = (table: string, id: string) => table.split('\n').find((line) => line.startsWith(`${id} `)) ?? '';

describe('remotetask jobs', () => {
  it('shows the next run of waiting jobs only, not of finished ones', async () => {
    // A delayed job runs once; once completed, it still carries the time it was due.
    const id = (await cli('cron', 'add', 'echo', '"once"', '--delay', '1')).stdout.trim();
    await waitUntil(async () => (await cli('status', id)).stdout === 'completed\n', { timeout: 15_000, interval: 50, what: `job ${id} to complete` });
    expect(JSON.parse((await cli('status', id, '--json')).stdout).nextRunAt).toEqual(expect.any(String));
    const cron = (await cli('cron', 'add', 'echo', '"tick"', '--minute', '0,30')).stdout.trim();
    const table = (await cli('jobs')).stdout;
    expect(rowOf(table, id)).toMatch(/ completed /);
    expect(rowOf(table, id)).not.toMatch(/next run/);
    expect(rowOf(table, cron)).toMatch(/ cronjob .* next run \d{4}-\d\d-\d\dT/);
  });
});

describe('remotetask cancel', () => {
  it('says that a running job was asked to stop, and the job ends cancelled', async () => {
    const id = (await cli('add', 'until-cancelled')).stdout.trim();
    await waitUntil(async () => (await cli('status', id)).stdout === 'processing\n', { timeout: 15_000, interval: 50, what: `job ${id} to run` });
    const cancelled = await cli('cancel', id);
    expect(cancelled).toMatchObject({ code: 0, stdout: `cancelling: job ${id} is running and was asked to stop; it ends cancelled once its task stops\n` });
    await waitUntil(async () => (await cli('status', id)).stdout === 'cancelled\n', { timeout: 15_000, interval: 50, what: `job ${id} to end cancelled` });
    // A waiting job is cancelled at once, and says so as before.
    const later = (await cli('add', 'echo', 'null', '--start-later')).stdout.trim();
    expect(await cli('cancel', later)).toMatchObject({ code: 0, stdout: 'cancelled\n' });
  });
});

describe('the dashboard\'s overview', () => {
  it('counts start-later jobs', async () => {
    for (let n = 0; n < 3; n++) expect((await cli('add', 'echo', 'null', '--start-later')).code).toBe(0);
    const page = await (await fetch(`${server.url}/`)).text();
    const stat = /<div class="stat"><dt>start later<\/dt><dd><a href="([^"]+)">(\d+)<\/a><\/dd><\/div>/.exec(page);
    expect(stat, page.slice(0, 2000)).not.toBeNull();
    expect(Number(stat![2])).toBe(3);
    expect(stat![1].replace(/&amp;/g, '&')).toMatch(/status=start(\+|%20)later/);
  });
});
