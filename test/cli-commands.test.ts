/** The `remotetask` client commands, spawned as a user runs them, against a real `remotetask serve`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../plugins/http/auth/verify-password.js';
import { hashPassword } from '../plugins/http/auth/hash-password.js';
import { closedPort } from './helpers/closed-port.js';
import { runCli } from './helpers/run-process.js';
import { waitUntil } from './helpers/wait-for.js';
import { e2eConfig, type RunningServer, startRemotetaskServer } from './helpers/start-remotetask-server.js';

let open: RunningServer;
let secured: RunningServer;

beforeAll(async () => {
  const passwordHash = await hashPassword('alice-secret', { N: 1024, r: 8, p: 1 });
  [open, secured] = await Promise.all([
    startRemotetaskServer(),
    startRemotetaskServer(
      e2eConfig({ http: { users: { alice: { role: 'manager', passwordHash }, bob: { role: 'viewer', passwordEnv: 'BOB_PASSWORD' }, ci: { role: 'manager', tokenEnv: 'CI_TOKEN' } } } }),
      { env: { BOB_PASSWORD: 'bob-secret', CI_TOKEN: 'ci-secret-token' } },
    ),
  ]);
});
afterAll(async () => {
  await Promise.all([open?.stop(), secured?.stop()]);
});

const cli = (...args: string[]) => runCli([...args, '--url', open.url]);

describe('adding and following jobs', () => {
  it('add prints the new job\'s id; status and result read it back', async () => {
    const added = await cli('add', 'echo', '{"foo": "bar"}');
    expect(added).toMatchObject({ code: 0, stderr: '' });
    const id = added.stdout.trim();
    expect(id).toMatch(/^\d+$/);
    // A waiting, not a sleep: `add --wait` on a second job in the same queue ends after this one.
    expect((await cli('add', 'echo', 'null', '--wait')).code).toBe(0);
    expect(await cli('status', id)).toMatchObject({ code: 0, stdout: 'completed\n' });
    expect(JSON.parse((await cli('result', id)).stdout)).toEqual({ foo: 'bar' });
    expect(JSON.parse((await cli('status', id, '--json')).stdout)).toMatchObject({ id: Number(id), status: 'completed', input: { foo: 'bar' } });
  });

  it('add --wait shows the progress on stderr and prints the result: exit 0', async () => {
    const result = await cli('add', 'steps', '{"steps": 4}', '--wait');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ steps: 4 });
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      '[########----------------------]  25% step 1 of 4',
      '[###############---------------]  50% step 2 of 4',
      '[#######################-------]  75% step 3 of 4',
      '[##############################] 100% step 4 of 4',
    ]);
  });

  it('add --wait exits 1 when the job fails, saying why', async () => {
    const result = await cli('add', 'fail', '--wait');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^remotetask: job \d+ failed: this task always fails$/m);
  });

  it('add --start-later, then cancel: prints the status after it', async () => {
    const id = (await cli('add', 'echo', '--start-later')).stdout.trim();
    expect((await cli('status', id)).stdout).toBe('start later\n');
    expect(await cli('cancel', id)).toMatchObject({ code: 0, stdout: 'cancelled\n' });
  });

  it('cron add takes field lists or a cron expression, and prints the id', async () => {
    const fields = await cli('cron', 'add', 'echo', '{"n": 1}', '--minute', '0,30', '--hour', '4');
    expect(fields.code).toBe(0);
    const job = JSON.parse((await cli('status', fields.stdout.trim(), '--json')).stdout);
    expect(job).toMatchObject({ status: 'cronjob', schedule: { minute: [0, 30], hour: [4] }, input: { n: 1 } });
    const expression = await cli('cron', 'add', 'echo', '--cron', '*/5 * * * *', '--tz', 'Europe/Berlin');
    expect(JSON.parse((await cli('status', expression.stdout.trim(), '--json')).stdout).schedule).toEqual({ cron: '*/5 * * * *', tz: 'Europe/Berlin' });
    const delayed = await cli('cron', 'add', 'echo', '--delay', '3600');
    expect((await cli('status', delayed.stdout.trim())).stdout).toBe('delayed\n');
  });
});

describe('listing and cleaning', () => {
  it('tasks lists names and descriptions', async () => {
    const result = await cli('tasks');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^TASK\s+DESCRIPTION\necho\s+Returns its input unchanged\.\nfail\s+Always fails\.\ngreet\s+Greets someone by name\.\nsteps\s+Reports progress step by step\.\n$/);
    expect(JSON.parse((await cli('tasks', '--json')).stdout)[2]).toMatchObject({ name: 'greet', inputSchema: { required: ['name'] } });
  });

  it('workers lists the server; workers drain ID and undrain ID change its state; an unknown id: exit 2', async () => {
    const listed = JSON.parse((await cli('workers', '--json')).stdout);
    expect(listed.workers).toHaveLength(1);
    const { id } = listed.workers[0];
    expect(await cli('workers', 'drain', id)).toMatchObject({ code: 0, stdout: `${id} drains: it finishes its jobs and claims none\n` });
    const table = (await cli('workers')).stdout.split('\n');
    expect(table[0]).toMatch(/^ID\s+HOST\s+PID\s+ROLE\s+STATE\s+SERVICES\s+LAST BEAT\s+DONE\/MIN\s+RUNNING/);
    expect(table[1]).toMatch(new RegExp(`^${id}\\s.*\\sserve\\s+drained\\s`));
    expect(await cli('workers', 'undrain', id)).toMatchObject({ code: 0, stdout: `${id} claims jobs again\n` });
    expect(JSON.parse((await cli('workers', '--json')).stdout).workers[0].draining).toBe(false);
    expect(await cli('workers', 'drain', 'nobody')).toMatchObject({ code: 2, stderr: expect.stringMatching(/no process "nobody" is registered/) });
  });

  it('jobs lists with --status, --task and --limit', async () => {
    const id = (await cli('add', 'greet', '{"name": "jobs"}', '--start-later')).stdout.trim();
    const table = await cli('jobs', '--status', 'start later', '--task', 'greet');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^ID\\s+STATUS\\s+TASK\\s+CREATED\\s+INFO\\n${id}\\s+start later\\s+greet\\s+\\d{4}-`));
    const page = JSON.parse((await cli('jobs', '--limit', '1', '--json')).stdout);
    expect(page.jobs).toHaveLength(1);
    expect(page.nextCursor).toEqual(expect.any(String));
    expect((await cli('jobs', '--status', 'queued,error', '--task', 'nothing-like-this')).stdout).toBe('no jobs\n');
  });

  it('clean removes finished jobs, only the statuses named', async () => {
    const failed = await cli('add', 'fail', '--wait');
    expect(failed.code).toBe(1);
    const result = await cli('clean', '--status', 'error');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^removed [1-9]\d* jobs?\n$/);
    expect((await cli('jobs', '--status', 'error')).stdout).toBe('no jobs\n');
    expect((await cli('jobs', '--status', 'completed')).stdout).not.toBe('no jobs\n');
  });
});

describe('retrying', () => {
  const statusOf = async (id: string) => (await cli('status', id)).stdout.trim();

  it('retry ID puts a failed job back in the queue; a job that did not fail is refused: exit 2', async () => {
    const id = (await cli('add', 'fail')).stdout.trim();
    await waitUntil(async () => (await statusOf(id)) === 'error', { interval: 50, what: `job ${id} failed` });
    expect(await cli('retry', id)).toMatchObject({ code: 0, stdout: 'queued\n' });
    await waitUntil(async () => (await statusOf(id)) === 'error', { interval: 50, what: `job ${id} failed again` });
    const done = (await cli('add', 'echo', '1')).stdout.trim();
    await waitUntil(async () => (await statusOf(done)) === 'completed', { interval: 50, what: `job ${done} completed` });
    const refused = await cli('retry', done);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/job \d+ is completed; only a failed \(error\) or cancelled job/);
  });

  it('retry --all-failed --cancelled --task retries those jobs and prints how many', async () => {
    await cli('retry', '--all-failed', '--cancelled', '--task', 'echo');
    const ids = [(await cli('add', 'echo', '--start-later')).stdout.trim(), (await cli('add', 'echo', '--start-later')).stdout.trim()];
    for (const id of ids) await cli('cancel', id);
    expect(await cli('retry', '--all-failed', '--cancelled', '--task', 'echo')).toMatchObject({ code: 0, stdout: 'retried 2 jobs\n' });
    for (const id of ids) await waitUntil(async () => (await statusOf(id)) === 'completed', { interval: 50, what: `job ${id} completed` });
  });

  it('says how to call it when ids and --all-failed are mixed or both missing', async () => {
    expect(await cli('retry')).toMatchObject({ code: 2, stderr: 'remotetask: give the ids of the jobs to retry, or --all-failed\n' });
    expect(await cli('retry', '1', '--all-failed')).toMatchObject({ code: 2, stderr: 'remotetask: give job ids or --all-failed, not both\n' });
  });
});

describe('errors and exit codes', () => {
  it('an unknown task: exit 2 with the server\'s message', async () => {
    const result = await cli('add', 'ehco');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('remotetask: task "ehco" is not registered for service @RootTaskService; available tasks: echo, fail, greet, steps\n');
  });

  it('input failing the schema, a bad cron spec, an unknown job or service: exit 2', async () => {
    expect(await cli('add', 'greet', '{"nom": 1}')).toMatchObject({ code: 2, stderr: expect.stringMatching(/does not match its schema: \(input\) must have required property 'name'/) });
    expect(await cli('cron', 'add', 'echo', '--minute', '75')).toMatchObject({ code: 2, stderr: 'remotetask: minute: 75 is out of range 0-59\n' });
    expect(await cli('status', '999999')).toMatchObject({ code: 2, stderr: 'remotetask: job 999999 does not exist in service @RootTaskService\n' });
    expect(await cli('tasks', '--service', 'site9@Nope')).toMatchObject({ code: 2, stderr: expect.stringMatching(/site "site9" not found/) });
  });

  it('usage errors: exit 2 before any request', async () => {
    expect(await cli('add', 'echo', '{not json')).toMatchObject({ code: 2, stderr: expect.stringMatching(/^remotetask: the input is not valid JSON/) });
    expect(await cli('status', 'seven')).toMatchObject({ code: 2, stderr: 'remotetask: "seven" is not a job id: ids are whole numbers from 1\n' });
    expect(await cli('cron', 'add', 'echo')).toMatchObject({ code: 2, stderr: expect.stringMatching(/give a schedule/) });
    expect(await cli('cron', 'add', 'echo', '--minute', 'half-past')).toMatchObject({ code: 2, stderr: expect.stringMatching(/--minute takes whole numbers separated by commas/) });
    expect((await runCli(['add'])).code).toBe(2);
    expect((await runCli(['frobnicate'])).code).toBe(2);
  });

  it('no server there: exit 2 saying it cannot be reached', async () => {
    const port = await closedPort();
    const result = await runCli(['tasks', '--url', `http://127.0.0.1:${port}`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`remotetask: cannot reach http://127.0.0.1:${port}: ECONNREFUSED\n`);
  });

  it('takes the server from REMOTETASK_URL', async () => {
    expect(await runCli(['status', '1'], { env: { REMOTETASK_URL: open.url } })).toMatchObject({ code: 0, stdout: 'completed\n' });
  });
});

describe('authentication', () => {
  it('--user with the password from REMOTETASK_PASSWORD', async () => {
    const result = await runCli(['add', 'echo', '"hi"', '--wait', '--url', secured.url, '--user', 'alice'], { env: { REMOTETASK_PASSWORD: 'alice-secret' } });
    expect(result).toMatchObject({ code: 0, stdout: '"hi"\n' });
  });

  it('a bearer token from REMOTETASK_TOKEN', async () => {
    expect(await runCli(['tasks', '--url', secured.url], { env: { REMOTETASK_TOKEN: 'ci-secret-token' } })).toMatchObject({ code: 0, stdout: expect.stringMatching(/^TASK/) });
  });

  it('a wrong password or none: exit 2, 401\'s message', async () => {
    expect(await runCli(['tasks', '--url', secured.url, '--user', 'alice'], { env: { REMOTETASK_PASSWORD: 'wrong' } })).toMatchObject({ code: 2, stderr: 'remotetask: wrong user name or password\n' });
    expect(await runCli(['tasks', '--url', secured.url])).toMatchObject({ code: 2, stderr: expect.stringMatching(/authentication required/) });
    expect(await runCli(['tasks', '--url', secured.url, '--user', 'alice'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/needs a password: set REMOTETASK_PASSWORD/) });
  });

  it('a viewer may read but not add: exit 2 with the 403\'s message', async () => {
    const env = { REMOTETASK_PASSWORD: 'bob-secret' };
    expect((await runCli(['jobs', '--url', secured.url, '--user', 'bob'], { env })).code).toBe(0);
    expect(await runCli(['add', 'echo', '--url', secured.url, '--user', 'bob'], { env })).toMatchObject({ code: 2, stderr: expect.stringMatching(/user "bob" is a viewer and may not POST/) });
  });
});

describe('hash-password', () => {
  it('hashes a password from stdin into an scrypt hash that verifies', async () => {
    const result = await runCli(['hash-password'], { input: 'correct horse battery staple\n' });
    expect(result.code).toBe(0);
    const hash = result.stdout.trim();
    expect(hash).toMatch(/^scrypt\$N=131072,r=8,p=1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery staple\n', hash)).toBe(false);
    const again = (await runCli(['hash-password'], { input: 'correct horse battery staple' })).stdout.trim();
    expect(again).not.toBe(hash);
  });

  it('hashes a token with --token, and makes a new one with --new-token', async () => {
    const token = await runCli(['hash-password', '--token'], { input: 'abc' });
    expect(token.stdout).toBe('sha256$ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n');
    const fresh = await runCli(['hash-password', '--new-token']);
    const [, value, hash] = /^token: (\S+)\ntokenHash: (sha256\$[0-9a-f]{64})\n$/.exec(fresh.stdout)!;
    expect(await verifyPassword(value, hash)).toBe(true);
  });

  it('refuses an empty password: exit 2', async () => {
    expect(await runCli(['hash-password'], { input: '' })).toMatchObject({ code: 2, stderr: 'remotetask: no password on stdin\n' });
  });
});
