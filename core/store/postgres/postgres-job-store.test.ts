import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobStore, NewJob } from '../job-store.js';
import { describeJobStoreContract } from '../contract/job-store.contract.js';
import { zeroCounts } from '../store-rules.js';
import { PostgresJobStore, STORE_PLANNER_SETTINGS, withPlannerSettings } from './postgres-job-store.js';
import { claimText } from './claim.js';
import { finishText } from './finish.js';
import { tablesIn } from './tables.js';
import { LATEST_POSTGRES_SCHEMA_VERSION, POSTGRES_MIGRATIONS, migratePostgres } from './postgres-migrations.js';

// No skip when PostgreSQL is down: beforeAll fails, and with it every test of this file.
const BASE_URL = process.env.REMOTETASK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const DATABASE = `remotetask_test_${process.pid}_${randomBytes(4).toString('hex')}`;
const WAKE_TIMEOUT_MS = 5_000;

function databaseUrl(database: string): string {
  const url = new URL(BASE_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

const url = databaseUrl(DATABASE);
/** Every open store and its schema: afterAll closes what a failed test left open. */
const openStores = new Map<JobStore, string>();
let schemaCount = 0;

/** A store on a schema of its own, so each test starts from an empty queue. */
async function openStore(schema = `s${++schemaCount}`, poolSize?: number): Promise<PostgresJobStore> {
  const store = new PostgresJobStore({ url, schema, poolSize });
  openStores.set(store, schema);
  await store.open();
  return store;
}

async function closeStore(store: JobStore): Promise<void> {
  openStores.delete(store);
  await store.close();
}

async function withAdmin<T>(database: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl(database) });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

let databaseCreated = false;

beforeAll(async () => {
  try {
    await withAdmin('postgres', (admin) => admin.query(`CREATE DATABASE ${DATABASE}`));
  } catch (error) {
    const server = new URL(BASE_URL);
    throw new Error(
      `the PostgreSQL store tests need a server at ${server.hostname}:${server.port || 5432} ` +
        `(set REMOTETASK_TEST_PG_URL): ${(error as Error).message}`,
    );
  }
  databaseCreated = true;
});

afterAll(async () => {
  await Promise.all([...openStores.keys()].map((store) => store.close()));
  if (databaseCreated) {
    await withAdmin('postgres', (admin) => admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`));
  }
});

function queuedJob(service: string, overrides: Partial<NewJob> = {}): NewJob {
  return {
    service,
    task: 'echo',
    input: { n: 1 },
    status: 'queued',
    maxAttempts: 3,
    created: 1_000,
    runAt: 0,
    schedule: null,
    ...overrides,
  };
}

/** Resolves on the service's next wake-up; fails after a bound instead of hanging. */
function nextWake(store: JobStore, service: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no wake-up for ${service} within ${WAKE_TIMEOUT_MS} ms: ${what}`));
    }, WAKE_TIMEOUT_MS);
    const unsubscribe = store.onWake(service, () => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
  });
}

const everyMinute = () => 1_000_000;

type Requested = { id: number; service: string };

/** Every cancel request a store's listener hears, and a bounded wait for a particular one. */
function watchCancels(store: JobStore) {
  const seen: Requested[] = [];
  let waiters: { id: number; resolve: () => void }[] = [];
  const stop = store.onCancelRequested((job) => {
    seen.push(job);
    for (const waiter of waiters.filter((w) => w.id === job.id)) waiter.resolve();
    waiters = waiters.filter((w) => w.id !== job.id);
  });
  return {
    seen,
    heard(id: number, what: string): Promise<void> {
      if (seen.some((job) => job.id === id)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no cancel request for job ${id} within ${WAKE_TIMEOUT_MS} ms: ${what}`)),
          WAKE_TIMEOUT_MS,
        );
        waiters.push({
          id,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    stop,
  };
}

/** Inserts a job and claims it: a running job. */
async function runningJob(store: JobStore, service: string, overrides: Partial<NewJob> = {}) {
  const job = await store.insert(queuedJob(service, overrides));
  const [claimed] = await store.claim({ service, now: 10, workerId: 'w', leaseMs: 60_000, jobId: job.id, nextRunAt: everyMinute });
  expect(claimed?.id).toBe(job.id);
  return claimed;
}

describeJobStoreContract('postgres', () => openStore(), closeStore, {
  reopen: async (store) => {
    const schema = openStores.get(store)!;
    await closeStore(store);
    return openStore(schema);
  },
});

describe('PostgresJobStore', () => {
  // Each test's stores end with it: their pools would otherwise hold connections until afterAll,
  // and the server's connection limit is shared with every other suite running against it.
  afterEach(async () => {
    await Promise.all([...openStores.keys()].map((store) => closeStore(store)));
  });

  describe('columns and schema', () => {
    it('reads its int8 columns as exact numbers, and leaves int8 parsing alone for everyone else', async () => {
      const store = await openStore();
      const job = await store.insert(queuedJob('@a', { status: 'cronjob', runAt: Number.MAX_SAFE_INTEGER, created: 1_700_000_000_123 }));
      expect(await store.get(job.id)).toMatchObject({ runAt: Number.MAX_SAFE_INTEGER, created: 1_700_000_000_123 });
      const int8 = await withAdmin(DATABASE, (client) => client.query<{ n: unknown }>('SELECT 1::int8 AS n'));
      expect(int8.rows[0].n).toBe('1');
    });

    it('refuses a schema name that is not a plain identifier', () => {
      expect(() => new PostgresJobStore({ url, schema: 'jobs; DROP TABLE x' })).toThrow(/schema name .* is not valid/);
    });
  });

  describe('claim', () => {
    it('hands out each of 2,000 jobs exactly once to two store instances claiming at once', async () => {
      const schema = `s${++schemaCount}`;
      const [first, second] = await Promise.all([openStore(schema, 8), openStore(schema, 8)]);
      const total = 2_000;
      await first.insertMany(Array.from({ length: total }, (_, index) => queuedJob('@race', { input: index })));

      const claimedBy = new Map<number, string>();
      const duplicates: number[] = [];
      const worker = async (store: PostgresJobStore, workerId: string) => {
        for (;;) {
          const jobs = await store.claim({ service: '@race', now: 5_000, workerId, leaseMs: 60_000, limit: 25, nextRunAt: everyMinute });
          if (jobs.length === 0) return;
          for (const job of jobs) {
            if (claimedBy.has(job.id)) duplicates.push(job.id);
            claimedBy.set(job.id, workerId);
          }
          const applied = await store.finish(
            jobs.map((job) => ({ id: job.id, workerId, now: 6_000, kind: 'completed' as const, result: job.input })),
          );
          expect(applied).toHaveLength(jobs.length);
        }
      };
      await Promise.all(
        [first, second].flatMap((store, machine) =>
          Array.from({ length: 6 }, (_, index) => worker(store, `machine${machine}-worker${index}`)),
        ),
      );

      expect(duplicates).toEqual([]);
      expect(claimedBy.size).toBe(total);
      expect(new Set(claimedBy.values()).size).toBeGreaterThan(2);
      expect((await first.countByStatus('@race')).completed).toBe(total);
    });

    it('claims one cron occurrence once across store instances and moves it to the next one', async () => {
      const schema = `s${++schemaCount}`;
      const [first, second] = await Promise.all([openStore(schema), openStore(schema)]);
      const cron = await first.insert(
        queuedJob('@cron', { status: 'cronjob', runAt: 600_000, schedule: { minute: [10] } }),
      );
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          (index % 2 ? first : second).claim({
            service: '@cron',
            now: 600_000,
            workerId: `w${index}`,
            leaseMs: 60_000,
            nextRunAt: (_schedule, now) => now + 3_600_000,
          }),
        ),
      );
      const claimed = claims.flat();
      expect(claimed).toHaveLength(1);
      expect(claimed[0]).toMatchObject({ id: cron.id, status: 'cronjob', attempts: 1, runAt: 4_200_000, started: 600_000 });
      expect(await second.get(cron.id)).toEqual(claimed[0]);
    });

  });

  describe('wake-ups', () => {
    it('wakes a listener of another store instance through NOTIFY', async () => {
      const schema = `s${++schemaCount}`;
      const [writer, listener] = await Promise.all([openStore(schema), openStore(schema)]);
      const woken = nextWake(listener, '@notify', 'insert on the other instance');
      await writer.insert(queuedJob('@notify'));
      await woken;

      await writer.insert(queuedJob('@notify', { status: 'start later' }));
      const started = nextWake(listener, '@notify', 'start on the other instance');
      expect(await writer.start(2, 0)).toBe(true);
      await started;

      const [claimed] = await writer.claim({ service: '@notify', now: 10, workerId: 'w', leaseMs: 100, nextRunAt: everyMinute });
      const retried = nextWake(listener, '@notify', 'a retry on the other instance');
      await writer.finish([{ id: claimed.id, workerId: 'w', now: 20, kind: 'retry', error: 'again', errorStack: null, runAt: 30 }]);
      await retried;
    });

    it('wakes its own listeners at once, and not a second time when its own NOTIFY comes back', async () => {
      const store = await openStore();
      let wakes = 0;
      store.onWake('@own', () => wakes++);
      const woken = nextWake(store, '@own', 'insert on the same instance');
      await store.insert(queuedJob('@own'));
      await woken;
      // Notifications arrive in commit order: once this later one is in, the insert's has been seen.
      const marker = nextWake(store, '@marker', 'a NOTIFY sent after the insert');
      await withAdmin(DATABASE, (client) => client.query(`NOTIFY remotetask_wake, '@marker'`));
      await marker;
      expect(wakes).toBe(1);
    });

    it('reconnects a lost LISTEN connection and wakes every listener once it is back', async () => {
      const schema = `s${++schemaCount}`;
      const [writer, listener] = await Promise.all([openStore(schema), openStore(schema)]);
      const afterReconnect = Promise.all([
        nextWake(listener, '@x', 'after the LISTEN connection came back'),
        nextWake(listener, '@y', 'after the LISTEN connection came back'),
      ]);
      const terminated = await withAdmin(DATABASE, (admin) =>
        admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE datname = $1 AND application_name = 'remotetask listener'`,
          [DATABASE],
        ),
      );
      expect(terminated.rowCount).toBeGreaterThan(0);
      await afterReconnect;

      const woken = nextWake(listener, '@x', 'insert after the reconnection');
      await writer.insert(queuedJob('@x'));
      await woken;
    });
  });

  describe('cancel requests', () => {
    it('reach a listener of another store instance through NOTIFY', async () => {
      const schema = `s${++schemaCount}`;
      const [writer, listener] = await Promise.all([openStore(schema), openStore(schema)]);
      const there = watchCancels(listener);
      const here = watchCancels(writer);
      const job = await runningJob(writer, '@cancel');
      const cron = await writer.insert(queuedJob('@cancel', { status: 'cronjob', runAt: 5, schedule: { minute: [0] } }));
      await writer.claim({ service: '@cancel', now: 10, workerId: 'w', leaseMs: 60_000, jobId: cron.id, nextRunAt: everyMinute });

      expect((await writer.cancel(job.id, 20))?.cancelRequested).toBe(true);
      await Promise.all([there.heard(job.id, 'cancel on the other instance'), here.heard(job.id, 'cancel on this instance')]);

      const other = await runningJob(writer, '@other');
      expect(await writer.cancelAll('@cancel', 30)).toBe(2);
      await there.heard(cron.id, 'cancelAll on the other instance');
      expect(there.seen).toEqual([
        { id: job.id, service: '@cancel' },
        { id: cron.id, service: '@cancel' },
      ]);
      expect(here.seen).toEqual(there.seen);

      // And the other way round, from the instance that listened.
      await listener.cancel(other.id, 40);
      await here.heard(other.id, 'cancel on the listening instance');
      expect(here.seen[2]).toEqual({ id: other.id, service: '@other' });
    });

    it('tells its own listeners at once, and not a second time when its own NOTIFY comes back', async () => {
      const store = await openStore();
      const cancels = watchCancels(store);
      const job = await runningJob(store, '@own');
      await store.cancel(job.id, 20);
      await cancels.heard(job.id, 'cancel on the same instance');
      // Notifications arrive in commit order: once these later ones are in, the cancel's echo has been seen.
      await withAdmin(DATABASE, async (client) => {
        await client.query(`NOTIFY remotetask_cancel, 'not json'`);
        await client.query(`NOTIFY remotetask_cancel, '{"id": "1", "service": 2}'`);
        await client.query(`SELECT pg_notify('remotetask_cancel', json_build_object('id', -1, 'service', '@marker')::text)`);
      });
      await cancels.heard(-1, 'a NOTIFY sent after the cancel');
      expect(cancels.seen).toEqual([
        { id: job.id, service: '@own' },
        { id: -1, service: '@marker' },
      ]);
    });

    it('of two instances cancelling one running job at once, tells every listener once', async () => {
      const schema = `s${++schemaCount}`;
      const [first, second] = await Promise.all([openStore(schema), openStore(schema)]);
      const [atFirst, atSecond] = [watchCancels(first), watchCancels(second)];
      const jobs = await Promise.all(Array.from({ length: 50 }, () => runningJob(first, '@race')));
      await Promise.all(
        jobs.flatMap((job) => [first.cancel(job.id, 20), second.cancel(job.id, 20), second.cancelAll('@race', 20)]),
      );
      await withAdmin(DATABASE, (client) =>
        client.query(`SELECT pg_notify('remotetask_cancel', json_build_object('id', -1, 'service', '@marker')::text)`),
      );
      await Promise.all([atFirst.heard(-1, 'the marker'), atSecond.heard(-1, 'the marker')]);
      const expected = [...jobs.map((job) => job.id), -1].sort((a, b) => a - b);
      expect(atFirst.seen.map((job) => job.id).sort((a, b) => a - b)).toEqual(expected);
      expect(atSecond.seen.map((job) => job.id).sort((a, b) => a - b)).toEqual(expected);
    });

    it('listens for cancels again once a lost LISTEN connection is back', async () => {
      const schema = `s${++schemaCount}`;
      const [writer, listener] = await Promise.all([openStore(schema), openStore(schema)]);
      const cancels = watchCancels(listener);
      const reconnected = nextWake(listener, '@again', 'after the LISTEN connection came back');
      const terminated = await withAdmin(DATABASE, (admin) =>
        admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE datname = $1 AND application_name = 'remotetask listener'`,
          [DATABASE],
        ),
      );
      expect(terminated.rowCount).toBeGreaterThan(0);
      // A cancel during the outage may be missed; its worker still sees it on its next lease renewal.
      const missed = await runningJob(writer, '@again');
      await writer.cancel(missed.id, 20);
      expect(await listener.cancelRequestedAmong([missed.id])).toEqual([missed.id]);
      await reconnected;

      const job = await runningJob(writer, '@again');
      await writer.cancel(job.id, 30);
      await cancels.heard(job.id, 'a cancel after the reconnection');
    });
  });

  describe('query plans', () => {
    it("lists a small service's completed jobs from the BRIN index, not by walking another service's million", async () => {
      const store = await openStore();
      const schema = openStores.get(store)!;
      await withAdmin(DATABASE, async (admin) => {
        await admin.query(
          `INSERT INTO ${schema}.jobs (service, task, status, max_attempts, created, run_at, completed)
           SELECT CASE WHEN g BETWEEN 10000 AND 10004 THEN '@small' ELSE '@big' END, 'echo', 'completed', 3, g, 0, g
           FROM generate_series(1, 20000) g`,
        );
        await admin.query(`INSERT INTO ${schema}.completed_counts VALUES ('@small', 5), ('@big', 19995)`);
        await admin.query(`VACUUM ANALYZE ${schema}.jobs`);
      });
      const page = await store.list({ service: '@small', status: ['completed'], sort: '-id' });
      expect(page.jobs.map((job) => job.id)).toEqual([10004, 10003, 10002, 10001, 10000]);
      // A session's statistics reach pg_stat_user_indexes when it ends (or after some idle time).
      await closeStore(store);
      const brinScans = () =>
        withAdmin(DATABASE, async (admin) => {
          const { rows } = await admin.query<{ scans: string }>(
            `SELECT idx_scan AS scans FROM pg_stat_user_indexes WHERE schemaname = $1 AND indexrelname = 'jobs_service_brin'`,
            [schema],
          );
          return Number(rows[0].scans);
        });
      const deadline = Date.now() + 15_000;
      while ((await brinScans()) === 0) {
        if (Date.now() > deadline) throw new Error('the listing did not read the BRIN index (no scan recorded within 15 s)');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    });

    it("sets the planner settings on every connection of the store's pool, next to options of the URL's own", async () => {
      const store = await openStore();
      // A statement through the store's own pool reads its session's settings.
      const pool = (store as unknown as { connection: { pool: pg.Pool } }).connection.pool;
      const { rows } = await pool.query<{ plan_cache_mode: string; enable_hashjoin: string; enable_mergejoin: string }>(
        `SELECT current_setting('plan_cache_mode') AS plan_cache_mode, current_setting('enable_hashjoin') AS enable_hashjoin,
                current_setting('enable_mergejoin') AS enable_mergejoin`,
      );
      expect(rows[0]).toEqual(STORE_PLANNER_SETTINGS);
      expect(withPlannerSettings('postgres://u@h/db?options=-c%20statement_timeout%3D5000')).toEqual({
        connectionString: 'postgres://u@h/db?options=-c+statement_timeout%3D5000+-c+plan_cache_mode%3Dforce_generic_plan+-c+enable_hashjoin%3Doff+-c+enable_mergejoin%3Doff',
      });
    });

    it('claim and finish probe their rows, with statistics taken while a backlog waited and nothing ran', async () => {
      const store = await openStore();
      const schema = openStores.get(store)!;
      await store.insertMany(Array.from({ length: 20_000 }, () => queuedJob('@plan')));
      const tables = tablesIn(`"${schema}"`);
      const plans = await withAdmin(DATABASE, async (admin) => {
        await admin.query(`ANALYZE ${schema}.jobs`);
        for (const [name, value] of Object.entries(STORE_PLANNER_SETTINGS)) await admin.query(`SET ${name} = ${value}`);
        await admin.query(`PREPARE claim AS ${claimText(tables)}`);
        await admin.query(`PREPARE finish AS ${finishText(tables)}`);
        const explain = async (execute: string) =>
          (await admin.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${execute}`)).rows.map((row) => row['QUERY PLAN']).join('\n');
        return {
          claim: await explain(`EXECUTE claim('@plan', 10, 500, 'w', 1000)`),
          finish: await explain(`EXECUTE finish('{1,2,3}', '{w}', '{completed}', '{20,20,20}', '{}', '{}', '{}', '{}')`),
        };
      });
      expect(plans.claim).toMatch(/Index Scan using jobs_claim_idx/);
      expect(plans.claim).toMatch(/Nested Loop[\s\S]*Tid Scan on jobs j/);
      expect(plans.finish).toMatch(/Nested Loop[\s\S]*Index Scan using jobs_pkey on jobs j/);
      for (const plan of Object.values(plans)) expect(plan).not.toMatch(/Seq Scan on jobs/);
    });
  });

  describe('migrations', () => {
    it('runs concurrently from three instances without error and records each migration once', async () => {
      const schema = `s${++schemaCount}`;
      await Promise.all([openStore(schema), openStore(schema), openStore(schema)]);
      const { rows } = await withAdmin(DATABASE, (admin) =>
        admin.query<{ version: number }>(`SELECT version FROM ${schema}.migrations ORDER BY version`),
      );
      expect(rows.map((row) => row.version)).toEqual(POSTGRES_MIGRATIONS.map((migration) => migration.version));
    });

    it('upgrades a schema created at version 1 in place: its jobs gain a null time limit', async () => {
      const schema = `s${++schemaCount}`;
      const oldJob = await withAdmin(DATABASE, async (admin) => {
        await migratePostgres(admin, schema, POSTGRES_MIGRATIONS.filter((migration) => migration.version === 1));
        const { rows } = await admin.query<{ id: string }>(
          `INSERT INTO ${schema}.jobs (service, task, input, status, max_attempts, created, run_at)
           VALUES ('@old', 'echo', '{"n": 1}', 'queued', 3, 1000, 0) RETURNING id`,
        );
        return Number(rows[0].id);
      });
      const store = await openStore(schema);
      const { rows } = await withAdmin(DATABASE, (admin) =>
        admin.query<{ version: number }>(`SELECT version FROM ${schema}.migrations ORDER BY version`),
      );
      expect(rows.map((row) => row.version)).toEqual(POSTGRES_MIGRATIONS.map((migration) => migration.version));
      expect(await store.get(oldJob)).toMatchObject({ service: '@old', input: { n: 1 }, status: 'queued', timeout: null });
      const limited = await store.insert(queuedJob('@old', { timeout: 2_000 }));
      expect(await store.get(limited.id)).toMatchObject({ timeout: 2_000 });
    });

    it('upgrades a version 2 schema holding jobs of every status: lists and counts stay right', async () => {
      const schema = `s${++schemaCount}`;
      await withAdmin(DATABASE, async (admin) => {
        await migratePostgres(admin, schema, POSTGRES_MIGRATIONS.filter((migration) => migration.version <= 2));
        await admin.query(
          `INSERT INTO ${schema}.jobs (service, task, status, max_attempts, created, run_at, locked_by, locked_until)
           SELECT '@old', 'echo', status, 3, 1000, 0,
                  CASE WHEN status = 'processing' THEN 'gone-worker' END, CASE WHEN status = 'processing' THEN 5000 END
           FROM unnest(ARRAY['queued', 'processing', 'processing', 'completed', 'completed', 'completed', 'error', 'start later']) AS status`,
        );
      });
      const store = await openStore(schema);
      expect(await store.countByStatus('@old')).toEqual({
        ...zeroCounts(), queued: 1, processing: 2, completed: 3, error: 1, 'start later': 1,
      });
      const all = await store.list({ service: '@old', limit: 100 });
      expect(all.jobs.map((job) => job.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const running = await store.list({ service: '@old', status: ['processing'], limit: 100 });
      expect(running.jobs.map((job) => job.id)).toEqual([2, 3]);
      const { rows: indexes } = await withAdmin(DATABASE, (admin) =>
        admin.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname`, [schema]),
      );
      expect(indexes.map((index) => index.indexname)).toEqual(
        ['jobs_claim_idx', 'jobs_lease_idx', 'jobs_pkey', 'jobs_service_brin', 'jobs_service_status_idx', 'migrations_pkey'],
      );
      // The expired leases of the jobs written by the old version are swept back as before.
      expect(await store.recoverExpired(10_000)).toBe(2);
      expect((await store.countByStatus('@old')).processing).toBe(0);
    });

    it('upgrades a version 3 schema: completed jobs are counted from the backfilled deltas, and listed', async () => {
      const schema = `s${++schemaCount}`;
      await withAdmin(DATABASE, async (admin) => {
        await migratePostgres(admin, schema, POSTGRES_MIGRATIONS.filter((migration) => migration.version <= 3));
        await admin.query(
          `INSERT INTO ${schema}.jobs (service, task, status, max_attempts, created, run_at, completed)
           SELECT service, 'echo', status, 3, 1000, 0, CASE WHEN status = 'completed' THEN 2000 END
           FROM unnest(ARRAY['@a', '@b', '@a', '@a', '@b', '@c'], ARRAY['completed', 'completed', 'queued', 'completed', 'error', 'queued'])
             AS u(service, status)`,
        );
      });
      const store = await openStore(schema);
      expect(await store.countByStatus('@a')).toEqual({ ...zeroCounts(), completed: 2, queued: 1 });
      expect(await store.countByStatus('@b')).toEqual({ ...zeroCounts(), completed: 1, error: 1 });
      expect(await store.countByStatus('@c')).toEqual({ ...zeroCounts(), queued: 1 });
      expect(await store.countByStatus()).toEqual({ ...zeroCounts(), completed: 3, queued: 2, error: 1 });
      const completedOfA = await store.list({ service: '@a', status: ['completed'], sort: '-id', limit: 1 });
      expect(completedOfA.jobs.map((job) => job.id)).toEqual([4]);
      expect((await store.list({ service: '@a', status: ['completed'], cursor: completedOfA.nextCursor!, sort: '-id' })).jobs.map((job) => job.id)).toEqual([1]);
      expect((await store.list({ service: '@c', status: ['completed'] })).jobs).toEqual([]);
      expect((await store.list({ service: '@a' })).jobs.map((job) => [job.id, job.status])).toEqual([[1, 'completed'], [3, 'queued'], [4, 'completed']]);

      // A completed job is no longer written to the status index.
      const { rows } = await withAdmin(DATABASE, (admin) =>
        admin.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'jobs_service_status_idx'`, [schema]),
      );
      expect(rows[0].indexdef).toMatch(/WHERE \(status <> ALL \(ARRAY\['processing'::text, 'completed'::text\]\)\)/);

      // Counts follow what happens next: a job of @c completes, @a's completed jobs are cleaned.
      const [claimed] = await store.claim({ service: '@c', now: 10, workerId: 'w', leaseMs: 60_000, nextRunAt: everyMinute });
      await store.finish([{ id: claimed.id, workerId: 'w', now: 20, kind: 'completed', result: null }]);
      expect(await store.countByStatus('@c')).toEqual({ ...zeroCounts(), completed: 1 });
      expect(await store.clean('@a', ['completed', 'queued'])).toBe(3);
      expect(await store.countByStatus()).toEqual({ ...zeroCounts(), completed: 2, error: 1 });
    });

    it('keeps completed counts exact while finishes, cleans and compactions run at once', async () => {
      const store = await openStore();
      const other = await openStore(openStores.get(store)!);
      const services = ['@x', '@y', '@z'];
      await store.insertMany(services.flatMap((service) => Array.from({ length: 300 }, () => queuedJob(service))));
      // Each store claims and finishes in small batches (one count delta per batch and service),
      // while both keep folding the deltas.
      const work = (worker: PostgresJobStore, workerId: string) => async () => {
        for (;;) {
          const claimed = (
            await Promise.all(services.map((service) => worker.claim({ service, now: 10, workerId, leaseMs: 60_000, limit: 7, nextRunAt: everyMinute })))
          ).flat();
          if (claimed.length === 0) return;
          await Promise.all([
            worker.finish(claimed.map((job) => ({ id: job.id, workerId, now: 20, kind: 'completed' as const, result: null }))),
            worker.compactCompletedCounts(),
          ]);
        }
      };
      await Promise.all([work(store, 'w1')(), work(other, 'w2')()]);
      for (const service of services) expect(await store.countByStatus(service)).toEqual({ ...zeroCounts(), completed: 300 });
      expect((await store.countByStatus()).completed).toBe(900);

      await Promise.all([store.clean('@x', ['completed']), other.compactCompletedCounts(), store.compactCompletedCounts()]);
      await store.compactCompletedCounts();
      expect(await other.countByStatus('@x')).toEqual(zeroCounts());
      expect((await other.countByStatus()).completed).toBe(600);
      // Folded: one row per service that still has completed jobs.
      const { rows } = await withAdmin(DATABASE, (admin) =>
        admin.query<{ service: string; delta: string }>(`SELECT service, delta FROM ${openStores.get(store)}.completed_counts ORDER BY service`),
      );
      expect(rows).toEqual([{ service: '@y', delta: '300' }, { service: '@z', delta: '300' }]);
    });

    it('refuses a database whose schema is newer than the code', async () => {
      const schema = `s${++schemaCount}`;
      await closeStore(await openStore(schema));
      const newer = LATEST_POSTGRES_SCHEMA_VERSION + 1;
      await withAdmin(DATABASE, (admin) =>
        admin.query(`INSERT INTO ${schema}.migrations (version, name) VALUES ($1, 'from the future')`, [newer]),
      );
      await expect(openStore(schema)).rejects.toThrow(`is at version ${newer}, newer than this remotetask knows`);
    });

  });

  describe('connection errors', () => {
    it('says clearly that the server is unreachable, without the password', async () => {
      const store = new PostgresJobStore({ url: 'postgres://postgres:s3cret-pw@127.0.0.1:1/remotetask' });
      const error: Error = await store.open().then(
        () => new Error('open() succeeded'),
        (reason: Error) => reason,
      );
      expect(error.message).toMatch(/^PostgreSQL at 127\.0\.0\.1:1 is not reachable: .*ECONNREFUSED/);
      expect(error.message).not.toContain('s3cret-pw');
      expect(error.stack ?? '').not.toContain('s3cret-pw');
    });
  });
});
