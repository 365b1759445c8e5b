import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobStore, NewJob } from '../job-store.js';
import { describeJobStoreContract } from '../contract/job-store.contract.js';
import { LOST, T0, newJob as contractJob } from '../contract/fixtures.contract.js';
import { SqliteJobStore } from './sqlite-job-store.js';
import { SQLITE_MIGRATIONS, migrateSqlite } from './sqlite-migrations.js';


const directories = new Map<JobStore, string>();

async function freshDirectory(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'remotetask-sqlite-'));
}

describeJobStoreContract(
  'sqlite',
  async () => {
    const directory = await freshDirectory();
    const store = new SqliteJobStore({ path: join(directory, 'jobs.db') });
    await store.open();
    directories.set(store, directory);
    return store;
  },
  async (store) => {
    await store.close();
    const directory = directories.get(store);
    directories.delete(store);
    if (directory) await rm(directory, { recursive: true, force: true });
  },
  {
    reopen: async (store) => {
      const directory = directories.get(store)!;
      await store.close();
      directories.delete(store);
      const reopened = new SqliteJobStore({ path: join(directory, 'jobs.db') });
      await reopened.open();
      directories.set(reopened, directory);
      return reopened;
    },
  },
);

function newJob(overrides: Partial<NewJob> = {}): NewJob {
  return contractJob({ service: '@Crashy', input: { n: 1 }, ...overrides });
}

describe('SqliteJobStore', () => {
  let directory: string;
  let path: string;
  const opened: SqliteJobStore[] = [];

  async function openStore(): Promise<SqliteJobStore> {
    const store = new SqliteJobStore({ path });
    await store.open();
    opened.push(store);
    return store;
  }

  function readMigrations(): { version: number; name: string }[] {
    const db = new Database(path, { readonly: true });
    try {
      return db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as { version: number; name: string }[];
    } finally {
      db.close();
    }
  }

  beforeEach(async () => {
    directory = await freshDirectory();
    path = join(directory, 'deeper', 'still', 'jobs.db');
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('creates the parent directories of its file, in WAL mode', async () => {
    const store = await openStore();
    await store.insert(newJob());
    await store.close();
    expect(existsSync(path)).toBe(true);
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('writes the keyed adds of one turn in one transaction; one that cannot be stored fails alone', async () => {
    const store = await openStore();
    const keyed = (key: string, input: unknown) => ({ ...newJob({ input }), key });
    const answers = await Promise.allSettled([
      store.insertKeyed(keyed('a', 1), 'keep', T0),
      store.insertKeyed(keyed('b', { big: 10n }), 'keep', T0),
      store.insertKeyed(keyed('c', 3), 'keep', T0),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((answers[1] as PromiseRejectedResult).reason)).toMatch(/BigInt/);
    const page = await store.list({ service: newJob().service, limit: 10 });
    expect(page.jobs.map((job) => [job.key, job.input])).toEqual([['a', 1], ['c', 3]]);
    // The failed add took no key: the next add of it creates the job.
    expect((await store.insertKeyed(keyed('b', 2), 'keep', T0)).outcome).toBe('created');
    await store.close();
    // Closing writes the adds asked for just before.
    const reopened = await openStore();
    const pending = reopened.insertKeyed(keyed('d', 4), 'keep', T0);
    await reopened.close();
    expect((await pending).outcome).toBe('created');
    const again = await openStore();
    expect((await again.list({ service: newJob().service, limit: 10 })).jobs.map((job) => job.key)).toEqual(['a', 'c', 'b', 'd']);
  });

  it('keeps jobs across close and open', async () => {
    const store = await openStore();
    const job = await store.insert(newJob({ input: { text: 'Grüße 🎉' } }));
    await store.close();
    const again = await openStore();
    expect(await again.get(job.id)).toEqual(job);
  });

  it('refuses a second store on a file another one holds, naming the file', async () => {
    const first = await openStore();
    const second = new SqliteJobStore({ path });
    const opening = second.open();
    await expect(opening).rejects.toThrow(path);
    await expect(opening).rejects.toThrow(/held by another remotetask process/);
    await expect(opening).rejects.toThrow(/PostgreSQL/);
    await expect(second.get(1)).rejects.toThrow(/not open/);
    expect(await first.insert(newJob())).toMatchObject({ status: 'queued' });
    await first.close();
    await second.open();
    opened.push(second);
    expect(await second.countByStatus()).toMatchObject({ queued: 1 });
  });

  it('records its migrations once and applies none again on the next open', async () => {
    await (await openStore()).close();
    const expected = SQLITE_MIGRATIONS.map(({ version, name }) => ({ version, name }));
    expect(readMigrations()).toEqual(expected);
    await (await openStore()).close();
    expect(readMigrations()).toEqual(expected);
  });

  it('refuses a database migrated by a newer remotetask', async () => {
    await (await openStore()).close();
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(999, 'from the future', T0);
    db.close();
    const store = new SqliteJobStore({ path });
    await expect(store.open()).rejects.toThrow(
      new RegExp(`schema version 999.*versions up to ${SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1].version}.*newer remotetask`),
    );
  });

  it('upgrades a database created at version 1 in place: its jobs gain a null time limit', async () => {
    mkdirSync(dirname(path), { recursive: true });
    const old = new Database(path);
    expect(migrateSqlite(old, path, SQLITE_MIGRATIONS.filter((migration) => migration.version === 1))).toEqual([1]);
    old
      .prepare(`INSERT INTO jobs (service, task, input, status, max_attempts, created, run_at, schedule) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
      .run('@Old', 'echo', '{"n":1}', 'queued', 3, T0, 0, null);
    old.close();

    const store = await openStore();
    const [job] = (await store.list({ service: '@Old' })).jobs;
    expect(job).toMatchObject({ service: '@Old', input: { n: 1 }, status: 'queued', timeout: null, priority: 0 });
    const limited = await store.insert(newJob({ timeout: 2_000 }));
    expect(await store.get(limited.id)).toMatchObject({ timeout: 2_000 });
    const [claimed] = await store.claim({ service: '@Old', now: T0, workerId: 'w', leaseMs: 1_000, nextRunAt: () => null });
    expect(claimed).toMatchObject({ id: job.id, status: 'processing', timeout: null });
    await store.close();
    expect(readMigrations().map((migration) => migration.version)).toEqual(SQLITE_MIGRATIONS.map((migration) => migration.version));
  });

  it('lists the completion of a job completed before version 11 once, from the entry it wrote then', async () => {
    mkdirSync(dirname(path), { recursive: true });
    const old = new Database(path);
    migrateSqlite(old, path, SQLITE_MIGRATIONS.filter((migration) => migration.version < 11));
    const { lastInsertRowid } = old
      .prepare(`INSERT INTO jobs (service, task, input, status, attempts, max_attempts, created, started, completed, run_at) VALUES ('@Old', 'echo', 'null', 'completed', 1, 3, ?, ?, ?, 0)`)
      .run(T0, T0 + 1, T0 + 2);
    old.prepare(`INSERT INTO job_attempts (job_id, n, attempt, started, ended, worker_id, outcome) VALUES (?, 1, 1, ?, ?, 'old-worker', 'completed')`)
      .run(lastInsertRowid, T0 + 1, T0 + 2);
    old.close();

    const store = await openStore();
    expect(await store.listAttempts(Number(lastInsertRowid))).toEqual([
      { attempt: 1, started: T0 + 1, ended: T0 + 2, workerId: 'old-worker', outcome: 'completed', error: null, errorStack: null },
    ]);
    // A job completed now writes no entry: its row holds the run.
    const job = await store.insert(newJob({ service: '@Old' }));
    const [claimed] = await store.claim({ service: '@Old', now: T0, workerId: 'new-worker', leaseMs: 1_000, nextRunAt: () => null });
    expect(claimed.id).toBe(job.id);
    await store.finish([{ id: job.id, workerId: 'new-worker', now: T0 + 5, kind: 'completed', result: null }]);
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM job_attempts WHERE job_id = ?').get(job.id)).toEqual({ n: 0 });
    expect(db.prepare('SELECT finished_by FROM jobs WHERE id = ?').get(job.id)).toEqual({ finished_by: 'new-worker' });
    db.close();
  });

  it('keeps the keys held before version 14 held, and those let go free', async () => {
    mkdirSync(dirname(path), { recursive: true });
    const old = new Database(path);
    migrateSqlite(old, path, SQLITE_MIGRATIONS.filter((migration) => migration.version < 14));
    const insert = old.prepare(
      `INSERT INTO jobs (service, task, input, status, attempts, max_attempts, created, started, run_at, job_key, key_scope) VALUES ('@Old', 'echo', 'null', ?, 0, 3, ?, ?, 0, ?, 'waiting')`,
    );
    const waiting = Number(insert.run('queued', T0, null, 'held').lastInsertRowid);
    insert.run('processing', T0, T0 + 1, 'let-go');
    old.close();

    const store = await openStore();
    const keyed = (key: string) => ({ ...newJob({ service: '@Old' }), key });
    expect(await store.insertKeyed(keyed('held'), 'keep', T0 + 2)).toMatchObject({ outcome: 'existing', job: { id: waiting } });
    expect((await store.insertKeyed(keyed('let-go'), 'keep', T0 + 2)).outcome).toBe('created');
    expect((await store.insertKeyed(keyed('let-go'), 'keep', T0 + 2)).outcome).toBe('existing');
  });

  it('counts the jobs completed before version 15, and lists them', async () => {
    mkdirSync(dirname(path), { recursive: true });
    const old = new Database(path);
    migrateSqlite(old, path, SQLITE_MIGRATIONS.filter((migration) => migration.version < 15));
    const insert = old.prepare(
      `INSERT INTO jobs (service, task, input, status, attempts, max_attempts, created, started, completed, run_at) VALUES (?, 'echo', 'null', ?, 1, 3, ?, ?, ?, 0)`,
    );
    for (let n = 0; n < 3; n += 1) insert.run('@Old', 'completed', T0, T0 + 1, T0 + 2);
    insert.run('@Old', 'error', T0, T0 + 1, T0 + 2);
    insert.run('@Other', 'completed', T0, T0 + 1, T0 + 2);
    old.close();

    const store = await openStore();
    expect(await store.countByStatus('@Old')).toMatchObject({ completed: 3, error: 1 });
    expect(await store.countByStatus()).toMatchObject({ completed: 4, error: 1 });
    expect((await store.list({ service: '@Old', status: ['completed', 'error'] })).jobs.map((job) => job.status)).toEqual(['completed', 'completed', 'completed', 'error']);
  });

  it('claims the jobs queued before version 16 in priority order across their tasks, from the one claim index left', async () => {
    mkdirSync(dirname(path), { recursive: true });
    const old = new Database(path);
    migrateSqlite(old, path, SQLITE_MIGRATIONS.filter((migration) => migration.version < 16));
    const insert = old.prepare(
      `INSERT INTO jobs (service, task, input, status, attempts, max_attempts, created, run_at, priority) VALUES ('@Old', ?, 'null', 'queued', 0, 3, ?, 0, ?)`,
    );
    const low = Number(insert.run('echo', T0, 3).lastInsertRowid);
    const high = Number(insert.run('upper', T0, -1).lastInsertRowid);
    const mid = Number(insert.run('echo', T0, 0).lastInsertRowid);
    old.close();

    const store = await openStore();
    const claimed = await store.claim({ service: '@Old', now: T0, workerId: 'w', leaseMs: 1_000, nextRunAt: () => null, limit: 10 });
    expect(claimed.map((job) => job.id)).toEqual([high, mid, low]);
    await store.close();
    const db = new Database(path, { readonly: true, fileMustExist: true });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'jobs_due'").all()).toEqual([]);
    db.close();
  });

  it('lists a database from before version 17 in id order without its service index, task by task, and with more tasks than it reads one by one', async () => {
    mkdirSync(dirname(path), { recursive: true });
    const old = new Database(path);
    migrateSqlite(old, path, SQLITE_MIGRATIONS.filter((migration) => migration.version < 17));
    const insert = old.prepare(
      `INSERT INTO jobs (service, task, input, status, attempts, max_attempts, created, run_at, completed) VALUES (?, ?, 'null', ?, 0, 3, ?, 0, ?)`,
    );
    // Few tasks in @Few, 70 in @Many (more than are read one by one), completed and queued jobs interleaved.
    const ids = { few: [] as number[], fewCompleted: [] as number[], many: [] as number[] };
    for (let index = 0; index < 140; index++) {
      const completed = index % 3 !== 0;
      const few = Number(insert.run('@Few', `t${index % 3}`, completed ? 'completed' : 'queued', T0, completed ? T0 : null).lastInsertRowid);
      ids.few.push(few);
      if (completed) ids.fewCompleted.push(few);
      ids.many.push(Number(insert.run('@Many', `t${index % 70}`, 'completed', T0, T0).lastInsertRowid));
    }
    old.close();

    const store = await openStore();
    const walk = async (query: { service: string; status?: ['completed']; sort?: '-id' }) => {
      const seen: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list({ ...query, limit: 9, cursor });
        seen.push(...page.jobs.map((job) => job.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      return seen;
    };
    expect(await walk({ service: '@Few' })).toEqual(ids.few);
    expect(await walk({ service: '@Few', sort: '-id' })).toEqual([...ids.few].reverse());
    expect(await walk({ service: '@Few', status: ['completed'], sort: '-id' })).toEqual([...ids.fewCompleted].reverse());
    expect(await walk({ service: '@Many' })).toEqual(ids.many);
    expect(await walk({ service: '@Many', status: ['completed'], sort: '-id' })).toEqual([...ids.many].reverse());
    expect(await store.list({ service: '@Nobody' })).toEqual({ jobs: [], nextCursor: null });
    await store.close();
    const db = new Database(path, { readonly: true, fileMustExist: true });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'jobs_service'").all()).toEqual([]);
    db.close();
  });

  it('applies pending migrations in order, all or none', () => {
    const db = new Database(':memory:');
    const migrations = [
      { version: 2, name: 'second', sql: 'CREATE TABLE b (x INTEGER)' },
      { version: 1, name: 'first', sql: 'CREATE TABLE a (x INTEGER)' },
      { version: 3, name: 'broken', sql: 'CREATE TABLE a (x INTEGER)' },
    ];
    expect(() => migrateSqlite(db, ':memory:', migrations)).toThrow(/already exists/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('a', 'b')").all()).toEqual([]);
    expect(migrateSqlite(db, ':memory:', migrations.slice(0, 2))).toEqual([1, 2]);
    expect(migrateSqlite(db, ':memory:', migrations.slice(0, 2))).toEqual([]);
    db.close();
  });

  it('recovers at open every job a crashed process left leased, however long its lease', async () => {
    const store = await openStore();
    const [again, lastTry, cron] = await store.insertMany([
      newJob({ maxAttempts: 3 }),
      newJob({ maxAttempts: 1 }),
      newJob({ status: 'cronjob', runAt: T0, schedule: { minute: [0] } }),
    ]);
    const claimed = await store.claim({
      service: '@Crashy',
      now: T0,
      workerId: 'crashed-worker',
      leaseMs: 10 * 365 * 24 * 3_600_000, // far beyond the reopen: recovery must not wait for it
      limit: 10,
      nextRunAt: (_schedule, now) => now + 3_600_000,
    });
    expect(claimed).toHaveLength(3);
    await store.close(); // the process dies without finishing its jobs

    const before = Date.now();
    const restarted = await openStore();
    expect(await restarted.get(again.id)).toMatchObject({ status: 'queued', runAt: 0, attempts: 1, lockedBy: null, lockedUntil: null });
    const failed = await restarted.get(lastTry.id);
    expect(failed).toMatchObject({ status: 'error', error: LOST, attempts: 1, lockedBy: null });
    expect(failed!.completed).toBeGreaterThanOrEqual(before);
    expect(await restarted.get(cron.id)).toMatchObject({ status: 'cronjob', runAt: T0 + 3_600_000, lockedBy: null, attempts: 1 });
    const reclaimed = await restarted.claim({ service: '@Crashy', now: T0, workerId: 'w2', leaseMs: 1_000, limit: 10, nextRunAt: () => null });
    expect(reclaimed.map((job) => [job.id, job.attempts])).toEqual([[again.id, 2]]);
  });

  it('says it is not open before open() and after close()', async () => {
    const store = new SqliteJobStore({ path });
    await expect(store.insert(newJob())).rejects.toThrow(/not open: call open\(\) first/);
    await store.open();
    await store.close();
    await expect(store.list({})).rejects.toThrow(/not open/);
  });

  // A batch is written with one INSERT of up to MAX_ROWS_PER_INSERT rows (250: 100, 100 and 50),
  // and each record's id is derived from the last id inserted: it must be its own row's.
  it('inserts a batch larger than one statement takes, each record with the id of its own row', async () => {
    const store = await openStore();
    const jobs = Array.from({ length: 250 }, (_, n) =>
      newJob({ service: '@Bulk', input: { n }, priority: n % 7, timeout: n % 3 === 0 ? null : 1_000 + n, ...(n % 50 === 49 ? { status: 'start later' as const } : {}) }),
    );
    const records = await store.insertMany(jobs);
    expect(records.map((record) => (record.input as { n: number }).n)).toEqual(jobs.map((_, n) => n));
    const ids = records.map((record) => record.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(250);
    for (const record of records) {
      const stored = await store.get(record.id);
      expect(stored).toMatchObject({ input: record.input, priority: record.priority, timeout: record.timeout, status: record.status });
    }
    expect(records.filter((record) => record.status === 'start later')).toHaveLength(5);
  });

  it('processes 20,000 jobs in batches', async () => {
    const store = await openStore();
    const count = 20_000;
    await store.insertMany(Array.from({ length: count }, (_, index) => newJob({ service: '@Bulk', input: index })));
    let processed = 0;
    for (;;) {
      const batch = await store.claim({ service: '@Bulk', now: T0, workerId: 'w', leaseMs: 1_000, limit: 500, nextRunAt: () => null });
      if (batch.length === 0) break;
      processed += (await store.finish(batch.map((job) => ({ id: job.id, workerId: 'w', now: T0, kind: 'completed' as const, result: job.input })))).length;
    }
    expect(processed).toBe(count);
    expect(await store.countByStatus('@Bulk')).toMatchObject({ completed: count, queued: 0, processing: 0 });
  });
});
