/** `remotetask attempts ID`, spawned as a user runs it, against a real `remotetask serve`. */
import { describe, expect, it } from 'vitest';
import { waitUntil } from './helpers/wait-for.js';
import { cliAgainstServer } from './helpers/cli-against-server.js';

const cli = cliAgainstServer();

describe('attempts from the command line', () => {
  it('lists a failed and retried job\'s runs newest first, with stacks on request and as JSON', async () => {
    const id = (await cli('add', 'fail')).stdout.trim();
    const statusOf = async () => (await cli('status', id)).stdout.trim();
    await waitUntil(async () => (await statusOf()) === 'error', { interval: 50, what: `job ${id} failed` });
    expect((await cli('retry', id)).code).toBe(0);
    await waitUntil(async () => (await statusOf()) === 'error' && JSON.parse((await cli('attempts', id, '--json')).stdout).length === 2, {
      interval: 50,
      what: `job ${id} failed twice`,
    });

    const table = await cli('attempts', id);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ATTEMPT\s+OUTCOME\s+STARTED\s+ENDED\s+WORKER\s+ERROR$/);
    expect(lines.slice(1)).toHaveLength(2);
    for (const line of lines.slice(1)) expect(line).toMatch(/^1\s+failed\s+\d{4}-\d\d-\d\dT\S+\s+\d{4}-\d\d-\d\dT\S+\s+\S+\s+this task always fails$/);

    const json = JSON.parse((await cli('attempts', id, '--json')).stdout);
    expect(json[0]).toMatchObject({ attempt: 1, outcome: 'failed', error: 'this task always fails', errorStack: expect.stringContaining('Error: this task always fails') });
    expect(Date.parse(json[0].ended)).toBeGreaterThanOrEqual(Date.parse(json[1].ended));

    const stacks = await cli('attempts', id, '--stacks');
    expect(stacks.stdout).toMatch(/\n {4}Error: this task always fails\n {4}\s*at /);
  });

  it('says so for a job without attempts, and for an unknown job', async () => {
    const id = (await cli('add', 'echo', '--start-later')).stdout.trim();
    expect(await cli('attempts', id)).toMatchObject({ code: 0, stdout: `job ${id} has no attempt that ended yet\n` });
    const unknown = await cli('attempts', '987654');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/job 987654 does not exist in service @RootTaskService/);
  });
});
