/**
 * Issue 16, item 3: transactional enqueue on PostgreSQL. A job added with the host application's
 * own client lives and dies with the host's transaction; a committed one is run by a worker woken
 * by the commit's NOTIFY (the poll interval is an hour: only the wake-up can start it). The
 * `add_job` SQL function adds a job with one statement, from psql, with options checked.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, type JobEvent, type Kernel } from '../core/index.js';
import { captureLog } from './helpers/capture-log.js';
import { usePostgresTestStores } from './helpers/postgres-test-stores.js';
import { waitForEvent } from './helpers/wait-for.js';

const run = promisify(execFile);
const { url, newSchema } = usePostgresTestStores();
const AN_HOUR = 3_600_000;
const kernels: Kernel[] = [];
const clients: pg.Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.end().catch(() => undefined)));
  await Promise.all(kernels.splice(0).map((kernel) => kernel.close()));
});

/** A kernel processing `@S` on a schema of its own, every event it sees recorded. */
async function worker(schema = newSchema(), store: Record<string, unknown> = { kind: 'postgres', url, schema, poolSize: 4 }) {
  const kernel = await createKernel(
    {
      store,
      plugins: ['echo'],
      sites: { '': { services: { S: { pollInterval: AN_HOUR, maxAttempts: 1 } } } },
      autostart: ['@S'],
    } as never,
    { logger: captureLog().logger },
  );
  kernels.push(kernel);
  const events: JobEvent[] = [];
  kernel.events.on((event) => events.push(event));
  return { kernel, service: kernel.getService('@S'), events, schema };
}

async function hostClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  clients.push(client);
  return client;
}

const completed = (kernel: Kernel, id: number) => waitForEvent(kernel, (event) => event.type === 'completed' && event.jobId === id);

describe('transactional enqueue (PostgreSQL)', { timeout: 60_000 }, () => {
  it('a job added in a rolled-back transaction does not exist; one committed runs, woken by the commit', async () => {
    const { kernel, service, events, schema } = await worker();
    const host = await hostClient();
    await host.query('CREATE TABLE orders (id serial PRIMARY KEY, item text)');

    await host.query('BEGIN');
    await host.query(`INSERT INTO orders (item) VALUES ('lost')`);
    const rolledBack = await service.add('echo', { order: 'lost' }, { client: host });
    // Inside the host's transaction the job is there; outside it is not.
    expect((await host.query(`SELECT status FROM "${schema}".jobs WHERE id = $1`, [rolledBack])).rows).toEqual([{ status: 'queued' }]);
    await expect(service.getJob(rolledBack)).rejects.toThrow(`job ${rolledBack} does not exist in service @S`);
    await host.query('ROLLBACK');

    await host.query('BEGIN');
    await host.query(`INSERT INTO orders (item) VALUES ('kept')`);
    const committed = await service.add('echo', { order: 'kept' }, { client: host });
    expect(committed).not.toBe(rolledBack);
    const done = completed(kernel, committed);
    await host.query('COMMIT');
    await done;
    expect(await service.getResult(committed)).toEqual({ order: 'kept' });

    // Nothing of the rolled-back job anywhere, though its events would have come before the committed one's.
    await expect(service.getJob(rolledBack)).rejects.toThrow();
    expect(events.filter((event) => event.jobId === rolledBack)).toEqual([]);
    // Its `added` came once, from the commit (the adder announced nothing itself).
    expect(events.filter((event) => event.jobId === committed).map((event) => event.type)).toEqual(['added', 'started', 'completed']);
    expect((await host.query('SELECT item FROM orders')).rows).toEqual([{ item: 'kept' }]);
  });

  it('addMany on a PoolClient: 100 jobs appear together at the commit and all run; a keyed add finds its own uncommitted job', async () => {
    const { kernel, service } = await worker();
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    try {
      const client = await pool.connect();
      let ids: number[];
      try {
        await client.query('BEGIN');
        ids = await service.addMany('echo', Array.from({ length: 100 }, (_, n) => ({ n })), { client });
        const first = await service.addOrFind('echo', { n: 'keyed' }, { client, key: 'order-1' });
        const again = await service.addOrFind('echo', { n: 'again' }, { client, key: 'order-1' });
        expect([first.outcome, again.outcome, again.job.id]).toEqual(['created', 'existing', first.job.id]);
        ids.push(first.job.id);
        expect((await service.jobs.countByStatus()).queued).toBe(0);
        const all = Promise.all(ids.map((id) => completed(kernel, id)));
        await client.query('COMMIT');
        await all;
      } finally {
        client.release();
      }
      expect(ids).toHaveLength(101);
      expect((await service.jobs.countByStatus()).completed).toBe(101);
    } finally {
      await pool.end();
    }
  });

  it('checks the task, the input and the client before writing anything; stores without host transactions say so', async () => {
    const { service, schema } = await worker();
    const host = await hostClient();
    await host.query('BEGIN');
    await expect(service.add('no-such-task', {}, { client: host })).rejects.toThrow(/no-such-task/);
    await expect(service.add('echo', {}, { client: {} })).rejects.toThrow(/client must be a connected pg Client or PoolClient/);
    // The transaction saw no statement fail: it commits.
    await host.query('COMMIT');
    expect((await service.jobs.countByStatus()).queued).toBe(0);

    // A delayed job on the host's client: there inside the transaction, gone with its rollback.
    await host.query('BEGIN');
    const delayed = await service.addCronJob('echo', {}, { delay: 3_600 }, { client: host });
    expect((await host.query(`SELECT status FROM "${schema}".jobs WHERE id = $1`, [delayed])).rows).toEqual([{ status: 'delayed' }]);
    await host.query('ROLLBACK');
    expect(await service.jobs.countByStatus()).toMatchObject({ delayed: 0, queued: 0 });

    // A client of another database: the error says so.
    const elsewhere = new pg.Client({ connectionString: new URL('/postgres', url).toString() });
    await elsewhere.connect();
    clients.push(elsewhere);
    await expect(service.add('echo', {}, { client: elsewhere })).rejects.toThrow(/the client given to add is not connected to the store's database/);

    const memory = await worker(undefined, { kind: 'memory' });
    await expect(memory.service.add('echo', {}, { client: host })).rejects.toThrow(
      'adding a job with your own client (transactional enqueue) needs the PostgreSQL store; this service\'s store is "memory": add without client',
    );
  });
});

describe('the add_job SQL function', { timeout: 60_000 }, () => {
  it('adds a job from psql that a worker runs, woken by the commit', async () => {
    const { kernel, schema } = await worker();
    const added = waitForEvent(kernel, (event) => event.type === 'added');
    const { stdout } = await run('psql', [url, '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c',
      `SELECT id FROM ${schema}.add_job('@S', 'echo', '{"from": "psql"}', '{"priority": -5, "maxAttempts": 2}')`]);
    const id = Number(stdout.trim());
    expect((await added).jobId).toBe(id);
    await completed(kernel, id);
    const job = await kernel.getService('@S').getJob(id);
    expect(job).toMatchObject({ status: 'completed', result: { from: 'psql' }, priority: -5, maxAttempts: 2, task: 'echo' });
  });

  it('inside a trigger: the job exists only with the row that added it', async () => {
    const { kernel, service, schema } = await worker();
    const host = await hostClient();
    await host.query(`
      CREATE TABLE signups (id serial PRIMARY KEY, email text);
      CREATE FUNCTION welcome() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM ${schema}.add_job('@S', 'echo', jsonb_build_object('email', NEW.email));
        RETURN NEW;
      END $$;
      CREATE TRIGGER welcome AFTER INSERT ON signups FOR EACH ROW EXECUTE FUNCTION welcome();`);
    await host.query(`BEGIN; INSERT INTO signups (email) VALUES ('gone@example.com'); ROLLBACK`);
    const done = waitForEvent(kernel, (event) => event.type === 'completed');
    await host.query(`INSERT INTO signups (email) VALUES ('kept@example.com')`);
    const { jobId } = await done;
    expect(await service.getResult(jobId)).toEqual({ email: 'kept@example.com' });
    expect((await service.jobs.all()).map((job) => job.input)).toEqual([{ email: 'kept@example.com' }]);
  });

  it('a keyed add_job keeps the job holding the key, or replaces its input while it waits', async () => {
    const { schema, service } = await worker();
    const host = await hostClient();
    const add = async (input: object, options: object) =>
      (await host.query(`SELECT id, input FROM ${schema}.add_job('@S', 'echo', $1, $2)`, [input, options])).rows[0] as { id: string; input: unknown };
    await host.query('BEGIN');
    const first = await add({ v: 1 }, { key: 'k', startLater: true });
    const kept = await add({ v: 2 }, { key: 'k' });
    const replaced = await add({ v: 3 }, { key: 'k', onKeyTaken: 'replace' });
    await host.query('COMMIT');
    expect([kept.id, replaced.id]).toEqual([first.id, first.id]);
    expect([kept.input, replaced.input]).toEqual([{ v: 1 }, { v: 3 }]);
    expect((await service.jobs.all()).map((job) => [job.status, job.key, job.input])).toEqual([['start later', 'k', { v: 3 }]]);
  });

  it('an unknown task is stored and ends in error when a worker claims it', async () => {
    const { kernel, schema, service } = await worker();
    const host = await hostClient();
    const failed = waitForEvent(kernel, (event) => event.type === 'failed');
    const { rows } = await host.query(`SELECT id FROM ${schema}.add_job('@S', 'no-such-task', '{}')`);
    const { jobId } = await failed;
    expect(jobId).toBe(Number(rows[0].id));
    expect(await service.getError(jobId)).toMatch(/task "no-such-task" is not registered any more; available tasks: .*echo/);
  });

  it('rejects bad options with an error that names the option and what it takes, and adds nothing', async () => {
    const { schema, service } = await worker();
    const host = await hostClient();
    const failure = async (options: string, service = '@S') => {
      const error = await host.query(`SELECT ${schema}.add_job($1, 'echo', '{}', $2::jsonb)`, [service, options]).then(() => undefined, (e: Error & { code?: string }) => e);
      expect(error?.code, options).toBe('22023');
      return error!.message;
    };
    expect(await failure('{"priorty": 1}')).toBe(
      'add_job: unknown option "priorty"; the options are runAt, delay, priority, maxAttempts, timeout, startLater, key, keyScope, keyPeriod, onKeyTaken',
    );
    expect(await failure('[1, 2]')).toBe('add_job: options must be a JSON object such as \'{"priority": 5}\'; got a JSON array');
    expect(await failure('{"priority": "high"}')).toBe('add_job: option "priority" must be an integer (lower runs first) from -32768 to 32767; got "high"');
    expect(await failure('{"priority": 40000}')).toMatch(/option "priority" must be an integer .* got 40000$/);
    expect(await failure('{"maxAttempts": 1.5}')).toMatch(/option "maxAttempts" must be an integer from 1 to 2147483647; got 1.5$/);
    expect(await failure('{"runAt": "next tuesday-ish"}')).toMatch(/option "runAt" must be a timestamp .* got next tuesday-ish$/);
    expect(await failure('{"runAt": 1, "delay": 2}')).toBe('add_job: give runAt or delay, not both');
    expect(await failure('{"startLater": "yes"}')).toBe('add_job: option "startLater" must be true or false; got "yes"');
    expect(await failure('{"onKeyTaken": "keep"}')).toBe('add_job: options keyScope, keyPeriod and onKeyTaken go with a key: give key too');
    expect(await failure('{"key": "k", "keyScope": "finished"}')).toMatch(/"keyPeriod" .* goes with keyScope "finished", and only with it/);
    expect(await failure('{}', 'S')).toMatch(/service must be a service address, site@Service .* got 'S'$/);
    expect((await service.jobs.countByStatus()).queued).toBe(0);
  });

  it('delay and runAt put the job off', async () => {
    const { schema, service } = await worker();
    const host = await hostClient();
    const before = Date.now();
    const { rows } = await host.query(
      `SELECT a.id FROM ${schema}.add_job('@S', 'echo', 'null', '{"delay": 600}') a
       UNION ALL SELECT b.id FROM ${schema}.add_job('@S', 'echo', 'null', '{"runAt": "2100-01-01T00:00:00Z"}') b`,
    );
    const [delayed, dated] = await Promise.all(rows.map((row: { id: string }) => service.getJob(Number(row.id))));
    expect(delayed!.runAt).toBeGreaterThanOrEqual(before + 600_000);
    expect(dated!.runAt).toBe(Date.UTC(2100, 0, 1));
    expect([delayed!.status, dated!.status]).toEqual(['queued', 'queued']);
  });
});
