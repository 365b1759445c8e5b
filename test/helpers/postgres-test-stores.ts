import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { JobStore, NewJob } from '../../core/store/job-store.js';
import { PostgresJobStore } from '../../core/store/postgres/postgres-job-store.js';

// The PostgreSQL store's tests: a database of each test file's own on the shared test server, and
// the jobs, wake-ups and cancel requests they watch.

const BASE_URL = process.env.REMOTETASK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const WAKE_TIMEOUT_MS = 5_000;

function databaseUrl(database: string): string {
  const url = new URL(BASE_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdmin<T>(database: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl(database) });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export interface PostgresTestStores {
  /** The database's name and URL. */
  database: string;
  url: string;
  /** Every open store and its schema: afterAll closes what a failed test left open. */
  openStores: Map<JobStore, string>;
  /** A store on a schema of its own (a new one unless given), so each test starts from an empty queue. */
  openStore(schema?: string, poolSize?: number): Promise<PostgresJobStore>;
  closeStore(store: JobStore): Promise<void>;
  /** The name of a schema no store of this file has used. */
  newSchema(): string;
}

/**
 * Creates the file's database before its tests and drops it after them, and closes every store a
 * test opened after it. No skip when PostgreSQL is down: beforeAll fails, and with it every test
 * of the file.
 */
export function usePostgresTestStores(): PostgresTestStores {
  const database = `remotetask_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = databaseUrl(database);
  const openStores = new Map<JobStore, string>();
  let schemaCount = 0;
  let databaseCreated = false;

  beforeAll(async () => {
    try {
      await withAdmin('postgres', (admin) => admin.query(`CREATE DATABASE ${database}`));
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
      await withAdmin('postgres', (admin) => admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    }
  });

  const closeStore = async (store: JobStore) => {
    openStores.delete(store);
    await store.close();
  };
  // Each test's stores end with it: their pools would otherwise hold connections until afterAll,
  // and the server's connection limit is shared with every other suite running against it.
  afterEach(async () => {
    await Promise.all([...openStores.keys()].map((store) => closeStore(store)));
  });

  const newSchema = () => `s${++schemaCount}`;
  return {
    database,
    url,
    openStores,
    newSchema,
    async openStore(schema = newSchema(), poolSize?: number) {
      const store = new PostgresJobStore({ url, schema, poolSize });
      openStores.set(store, schema);
      await store.open();
      return store;
    },
    closeStore,
  };
}

export function queuedJob(service: string, overrides: Partial<NewJob> = {}): NewJob {
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
export function nextWake(store: JobStore, service: string, what: string): Promise<void> {
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

export const everyMinute = () => 1_000_000;

export type Requested = { id: number; service: string };

/** Every cancel request a store's listener hears, and a bounded wait for a particular one. */
export function watchCancels(store: JobStore) {
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
export async function runningJob(store: JobStore, service: string, overrides: Partial<NewJob> = {}) {
  const job = await store.insert(queuedJob(service, overrides));
  const [claimed] = await store.claim({ service, now: 10, workerId: 'w', leaseMs: 60_000, jobId: job.id, nextRunAt: everyMinute });
  expect(claimed?.id).toBe(job.id);
  return claimed;
}
