import { describe, expect, it } from 'vitest';
import { STORE_PLANNER_SETTINGS } from './postgres-job-store.js';
import { claimText } from './claim.js';
import { hasWaitingSql, nextRunAtSql } from '../priority-levels.js';
import { tablesIn } from './tables.js';
import { withAdmin, queuedJob, usePostgresTestStores } from '../../../test/helpers/postgres-test-stores.js';

const { database: DATABASE, openStores, openStore } = usePostgresTestStores();

describe('PostgresJobStore query plans with priorities', () => {
  it('claims in priority order from the claim index, no sort, and finds the next due job by probes of it', async () => {
    const store = await openStore();
    const schema = openStores.get(store)!;
    await store.insertMany(Array.from({ length: 20_000 }, (_, index) => queuedJob('@plan', { priority: index % 5 })));
    const jobs = tablesIn(`"${schema}"`).jobs;
    const plans = await withAdmin(DATABASE, async (admin) => {
      await admin.query(`ANALYZE ${schema}.jobs`);
      for (const [name, value] of Object.entries(STORE_PLANNER_SETTINGS)) await admin.query(`SET ${name} = ${value}`);
      await admin.query(`PREPARE claim AS ${claimText(tablesIn(`"${schema}"`))}`);
      await admin.query(`PREPARE next_run AS ${nextRunAtSql(jobs, '$1::text')}`);
      await admin.query(`PREPARE has_waiting AS ${hasWaitingSql(jobs, '$1::text', '$2::bigint')}`);
      const explain = async (execute: string) =>
        (await admin.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${execute}`)).rows.map((row) => row['QUERY PLAN']).join('\n');
      return {
        claim: await explain(`EXECUTE claim('@plan', 10, 500, 'w', 1000)`),
        nextRun: await explain(`EXECUTE next_run('@plan')`),
        hasWaiting: await explain(`EXECUTE has_waiting('@plan', 10)`),
      };
    });
    expect(plans.claim).toMatch(/Limit[\s\S]*LockRows[\s\S]*Index Scan using jobs_claim_idx/);
    expect(plans.claim).toMatch(/Nested Loop[\s\S]*Tid Scan on jobs j/);
    expect(plans.claim).not.toMatch(/Sort/);
    for (const plan of [plans.nextRun, plans.hasWaiting]) {
      expect(plan).toMatch(/Recursive Union/);
      expect(plan).toMatch(/Index (Only )?Scan using jobs_claim_idx/);
    }
    for (const plan of Object.values(plans)) expect(plan).not.toMatch(/Seq Scan on jobs|Bitmap/);
    // The claim takes the most urgent jobs, and the loose scan agrees with the plain minimum.
    const claimed = await store.claim({ service: '@plan', now: 10, workerId: 'w', leaseMs: 1_000, limit: 3, nextRunAt: () => null });
    expect(claimed.map((job) => job.priority)).toEqual([0, 0, 0]);
    expect(await store.nextRunAt('@plan')).toBe(0);
  });
});
