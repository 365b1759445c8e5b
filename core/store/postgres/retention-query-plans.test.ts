import { describe, expect, it } from 'vitest';
import { STORE_PLANNER_SETTINGS } from './postgres-job-store.js';
import { positionText, removeText } from './retention.js';
import { tablesIn } from './tables.js';
import { withAdmin, queuedJob, usePostgresTestStores } from '../../../test/helpers/postgres-test-stores.js';

const { database: DATABASE, openStores, openStore } = usePostgresTestStores();

describe('PostgresJobStore query plans of retention', () => {
  it('finds the nth newest finished job and removes a batch through the finished-jobs index, no sort', async () => {
    const store = await openStore();
    const schema = openStores.get(store)!;
    await store.insertMany(Array.from({ length: 20_000 }, () => queuedJob('@plan')));
    await store.insertMany(Array.from({ length: 2_000 }, () => queuedJob('@other')));
    const tables = tablesIn(`"${schema}"`);
    const plans = await withAdmin(DATABASE, async (admin) => {
      // Most of the service's jobs finished, in each end status, ending in id order.
      await admin.query(`UPDATE ${tables.jobs} SET status = (ARRAY['completed', 'error', 'cancelled'])[1 + id % 3], completed = id WHERE id % 10 <> 0`);
      await admin.query(`ANALYZE ${schema}.jobs`);
      for (const [name, value] of Object.entries(STORE_PLANNER_SETTINGS)) await admin.query(`SET ${name} = ${value}`);
      await admin.query(`PREPARE position AS ${positionText(tables)}`);
      await admin.query(`PREPARE remove AS ${removeText(tables)}`);
      const explain = async (execute: string) =>
        (await admin.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${execute}`)).rows.map((row) => row['QUERY PLAN']).join('\n');
      return {
        position: await explain(`EXECUTE position('@plan', 'error', 999)`),
        remove: await explain(`EXECUTE remove('@plan', 'completed', -1, -1, 15000, 0, 1000, 0)`),
      };
    });
    expect(plans.position).toMatch(/Limit[\s\S]*Index (Only )?Scan Backward using jobs_finished_idx/);
    expect(plans.remove).toMatch(/Limit[\s\S]*Index (Only )?Scan using jobs_finished_idx/);
    // Each looked-at job is deleted by a probe of the primary key.
    expect(plans.remove).toMatch(/Delete on jobs j[\s\S]*Nested Loop[\s\S]*Index Scan using jobs_pkey on jobs j/);
    for (const plan of Object.values(plans)) expect(plan).not.toMatch(/Sort|Seq Scan on jobs|Bitmap/);
    // And the statements do what the plans promise.
    const ninth = await store.finishedPosition('@plan', 'error', 3);
    expect(ninth).not.toBeNull();
    const result = await store.removeFinished({
      service: '@plan', status: 'completed', before: { completed: 15_000, id: 0 }, after: null, now: 0, limit: 1_000,
    });
    expect(result.removed).toBe(1_000);
  });
});
