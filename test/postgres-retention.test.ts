/**
 * Retention across processes on PostgreSQL: the sweep lock is the store's, so a process whose
 * sweep finds it held (by another process) skips the round at once, and sweeps once it is free.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { usePostgresTestStores, withAdmin, queuedJob } from './helpers/postgres-test-stores.js';
import { REPO_ROOT, spawnWatched } from './helpers/spawn-remotetask.js';
import { RETENTION_LOCK } from '../core/service/retention/retention-sweeper.js';
import { tablesIn } from '../core/store/postgres/tables.js';

const { url, database, newSchema, openStore, closeStore } = usePostgresTestStores();
const FIXTURE = fileURLToPath(new URL('./fixtures/sweep-retention.ts', import.meta.url));
const DAY = 86_400_000;

async function sweepInAnotherProcess(schema: string): Promise<{ ran: boolean; removed: { status: string; count: number }[] }> {
  const child = spawnWatched(process.execPath, ['--import', 'tsx', FIXTURE, url, schema], { cwd: REPO_ROOT });
  const exit = await child.exited;
  expect(exit.code, child.output()).toBe(0);
  return JSON.parse(/^report (.*)$/m.exec(child.output())![1]);
}

describe('PostgreSQL store: retention sweeps of several processes', { timeout: 120_000 }, () => {
  it('a process finding the sweep lock held by another skips the round; with the lock free it sweeps', async () => {
    const schema = newSchema();
    const store = await openStore(schema);
    await store.insertMany(Array.from({ length: 2_500 }, () => queuedJob('@Svc')));
    const old = Date.now() - 2 * DAY;
    const tables = tablesIn(`"${schema}"`);
    // Finished two days ago, written as the store would: the completed count follows its deltas.
    await withAdmin(database, async (admin) => {
      await admin.query(`UPDATE ${tables.jobs} SET status = 'completed', started = $1, completed = $1 + id`, [old]);
      await admin.query(`INSERT INTO ${tables.completedCounts} (service, delta) VALUES ('@Svc', 2500)`);
    });
    const jobsLeft = async () => withAdmin(database, async (admin) => (await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${tables.jobs}`)).rows[0].n);
    try {
      let release!: () => void;
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      // This process holds the lock, as a sweeping process would, while another one tries.
      const holder = store.exclusively(RETENTION_LOCK, () => {
        entered();
        return new Promise<void>((resolve) => (release = resolve));
      });
      await inside;
      const skipped = await sweepInAnotherProcess(schema).finally(() => release());
      await holder;
      expect(skipped).toEqual({ ran: false, removed: [] });
      expect(await jobsLeft()).toBe(2_500);

      const swept = await sweepInAnotherProcess(schema);
      expect(swept).toEqual({ ran: true, removed: [{ service: '@Svc', status: 'completed', count: 2_500 }] });
      expect(await jobsLeft()).toBe(0);
      // Their count left with them (completed jobs are counted from count deltas).
      expect((await store.countByStatus('@Svc')).completed).toBe(0);
    } finally {
      await closeStore(store);
    }
  });
});
