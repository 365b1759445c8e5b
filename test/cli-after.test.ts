/** `remotetask add --after`, spawned as a user runs it, against a real `remotetask serve`. */
import { describe, expect, it } from 'vitest';
import { waitUntil } from './helpers/wait-for.js';
import { cliAgainstServer } from './helpers/cli-against-server.js';

const cli = cliAgainstServer();

describe('add --after', () => {
  it('adds a job that waits for others; cancelling its parent cancels it, or runs it with --run-anyway', async () => {
    const parent = (await cli('add', 'echo', '--start-later')).stdout.trim();
    const child = (await cli('add', 'echo', '--after', parent)).stdout.trim();
    const anyway = (await cli('add', 'echo', '"anyway"', '--after', parent, '--run-anyway')).stdout.trim();
    expect((await cli('status', child)).stdout).toBe('blocked\n');
    expect((await cli('cancel', parent)).stdout).toBe('cancelled\n');
    expect((await cli('status', child)).stdout).toBe('cancelled\n');
    expect(JSON.parse((await cli('status', child, '--json')).stdout).error).toBe(`cancelled: its parent job ${parent} ended cancelled`);
    expect((await cli('add', 'echo', '--wait', '--after', anyway)).code).toBe(0);
    expect(JSON.parse((await cli('result', anyway)).stdout)).toBe('anyway');
  });

  it('add --wait --after ends when a parent\'s failure cancels the job, or at once when a parent had failed already', async () => {
    const parent = (await cli('add', 'echo', '--start-later')).stdout.trim();
    const waiting = cli('add', 'echo', '--wait', '--after', parent);
    await waitUntil(async () => (await cli('jobs', '--status', 'blocked', '--json')).stdout.includes('"id"'), { timeout: 20_000, what: 'the child to be added' });
    expect((await cli('cancel', parent)).stdout).toBe('cancelled\n');
    const ended = await waiting;
    expect(ended.code).toBe(1);
    expect(ended.stderr).toMatch(/^remotetask: job \d+ was cancelled$/m);
    const atOnce = await cli('add', 'echo', '--wait', '--after', parent);
    expect(atOnce.code).toBe(1);
    expect(atOnce.stderr).toMatch(/^remotetask: job \d+ was cancelled$/m);
  });

  it('says what is wrong with --after, and with a parent that does not exist', async () => {
    const bad = await cli('add', 'echo', '--after', '1,x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--after takes job ids separated by commas, e.g. --after 12,13');
    const unknown = await cli('add', 'echo', '--after', '999999');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('no job 999999 in @RootTaskService to wait for');
  });
});
