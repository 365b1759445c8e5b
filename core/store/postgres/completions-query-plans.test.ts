import { describe, expect, it } from 'vitest';
import { STORE_PLANNER_SETTINGS } from './postgres-job-store.js';
import { completionsText } from './completions.js';
import { tablesIn } from './tables.js';
import { withAdmin, queuedJob, usePostgresTestStores } from '../../../test/helpers/postgres-test-stores.js';

const { database: DATABASE, openStores, openStore } = usePostgresTestStores();
const MINUTE = 60_000;

describe('PostgresJobStore query plan of completionsPerMinute', () => {
  // The (service, status, completed) index comes with the retention migration; this test makes the
  // same index itself, to show that the statement is written so that index serves it.
  it('counts the last minutes from the (service, status, completed) index, not the table', async () => {
    const store = await openStore();
    const schema = openStores.get(store)!;
    await store.insertMany(Array.from({ length: 20_000 }, (_, index) => queuedJob(index % 4 === 0 ? '@other' : '@plan', {})));
    const plan = await withAdmin(DATABASE, async (admin) => {
      // Two hours of finished jobs, one every ~0.5 s: 3 in 4 completed, 1 in 8 failed, the rest still queued.
      await admin.query(`UPDATE ${schema}.jobs SET status = CASE WHEN id % 8 = 0 THEN 'error' ELSE 'completed' END,
        completed = id * 360, started = id * 360 - 1 WHERE id % 8 <> 1`);
      await admin.query(`CREATE INDEX jobs_completions_test_idx ON ${schema}.jobs (service, status, completed)`);
      await admin.query(`VACUUM ANALYZE ${schema}.jobs`);
      for (const [name, value] of Object.entries(STORE_PLANNER_SETTINGS)) await admin.query(`SET ${name} = ${value}`);
      await admin.query(`PREPARE completions AS ${completionsText(tablesIn(`"${schema}"`))}`);
      const rows = await admin.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) EXECUTE completions('@plan', ${20_000 * 360 - 10 * MINUTE})`);
      return rows.rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Index (Only )?Scan using jobs_completions_test_idx/);
    expect(plan).not.toMatch(/Seq Scan|Bitmap Heap Scan on jobs/);
    // And it counts: the last ten minutes hold ~1,667 jobs of which 3 in 4 are @plan's.
    const minutes = await store.completionsPerMinute('@plan', 20_000 * 360 - 10 * MINUTE);
    const counted = minutes.reduce((sum, minute) => sum + minute.completed + minute.failed, 0);
    expect(counted).toBeGreaterThan(1_000);
    expect(counted).toBeLessThan(1_400);
    expect(minutes.every((minute) => minute.start % MINUTE === 0)).toBe(true);
  });
});
