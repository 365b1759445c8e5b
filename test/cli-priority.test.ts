/** `remotetask add --priority` / `--queue` and `remotetask priority`, spawned as a user runs them, against a real `remotetask serve`. */
import { describe, expect, it } from 'vitest';
import { cliAgainstServer } from './helpers/cli-against-server.js';

const cli = cliAgainstServer();

describe('priorities from the command line', () => {
  it('adds a job with a priority and changes it while the job waits', async () => {
    const id = (await cli('add', 'echo', '--start-later', '--priority', '5')).stdout.trim();
    expect(id).toMatch(/^\d+$/);
    expect(JSON.parse((await cli('status', id, '--json')).stdout)).toMatchObject({ id: Number(id), status: 'start later', priority: 5 });
    expect(await cli('priority', id, '-2')).toMatchObject({ code: 0, stdout: '-2\n' });
    expect(JSON.parse((await cli('status', id, '--json')).stdout)).toMatchObject({ priority: -2 });
  });

  it('refuses a priority that is not a whole number in range, saying which are', async () => {
    for (const bad of ['1.5', '40000', 'high']) {
      const result = await cli('add', 'echo', '--priority', bad);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/a priority is a whole number from -32768 to 32767/);
    }
  });
});

describe('serial queues from the command line', () => {
  it('adds jobs to a queue; the second shows the queue and waits for the first', async () => {
    const first = (await cli('add', 'echo', '--start-later', '--queue', 'orders-7')).stdout.trim();
    const second = (await cli('add', 'echo', '--queue', 'orders-7')).stdout.trim();
    expect(JSON.parse((await cli('status', first, '--json')).stdout)).toMatchObject({ status: 'start later', queue: 'orders-7' });
    // The first waits in "start later", which holds no place in its queue: nothing holds the second back.
    expect(JSON.parse((await cli('status', second, '--json')).stdout)).toMatchObject({ queue: 'orders-7', heldBy: null });
  });
});
