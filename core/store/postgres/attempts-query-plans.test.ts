import { describe, expect, it } from 'vitest';
import { STORE_PLANNER_SETTINGS } from './postgres-job-store.js';
import { finishText } from './finish.js';
import { listAttemptsText } from './attempts.js';
import { tablesIn } from './tables.js';
import { withAdmin, queuedJob, usePostgresTestStores } from '../../../test/helpers/postgres-test-stores.js';

const { database: DATABASE, openStores, openStore } = usePostgresTestStores();

describe('PostgresJobStore query plans of the attempt history', () => {
  it('records and cuts a finished job\'s history through the primary keys, and lists it from one', async () => {
    const store = await openStore();
    const schema = openStores.get(store)!;
    // Thousands of jobs with a history of three runs each: a scan of either table would show.
    await store.insertMany(Array.from({ length: 3_000 }, () => queuedJob('@plan', { maxAttempts: 5 })));
    for (let run = 0; run < 3; run++) {
      for (;;) {
        const claimed = await store.claim({ service: '@plan', now: 100 * (run + 1), workerId: 'w', leaseMs: 1_000, limit: 1_000, nextRunAt: () => null });
        if (claimed.length === 0) break;
        await store.finish(claimed.map((job) => ({ id: job.id, workerId: 'w', now: 100 * (run + 1) + 1, kind: 'retry' as const, error: 'again', errorStack: null, runAt: 100 * (run + 1) + 2 })));
      }
    }
    const tables = tablesIn(`"${schema}"`);
    const plans = await withAdmin(DATABASE, async (admin) => {
      await admin.query(`ANALYZE ${tables.jobs}`);
      await admin.query(`ANALYZE ${tables.attempts}`);
      for (const [name, value] of Object.entries(STORE_PLANNER_SETTINGS)) await admin.query(`SET ${name} = ${value}`);
      await admin.query(`PREPARE finish AS ${finishText(tables)}`);
      await admin.query(`PREPARE list AS ${listAttemptsText(tables)}`);
      const explain = async (execute: string) =>
        (await admin.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${execute}`)).rows.map((row) => row['QUERY PLAN']).join('\n');
      return {
        finish: await explain(`EXECUTE finish('{1,2}', '{w}', '{completed}', '{20,20}', '{1,2}', '{}', '{}', '{}')`),
        list: await explain(`EXECUTE list(7)`),
      };
    });
    // The attempt reads its job by primary key (no join of the batch with itself); the cut deletes
    // through the primary key, below the job's 25th newest entry, which is found among the job's
    // own entries only (the planner may read those few in index order or through a bitmap and sort them).
    // A run that completed its job is not written there (its row holds it): the filter on f.
    expect(plans.finish).toMatch(/Insert on job_attempts\s+->\s+Nested Loop\s+->\s+CTE Scan on finished f\s+Filter: \(status <> 'completed'::text\)\s+->\s+Index Scan using jobs_pkey/);
    expect(plans.finish).toMatch(/Delete on job_attempts a[\s\S]*Index Scan using job_attempts_pkey on job_attempts a\s+Index Cond: \(\(job_id = c\.id\) AND \(id <= \(SubPlan \d+\)\)\)/);
    expect(plans.finish).toMatch(/SubPlan \d+\s+->\s+Limit[\s\S]*job_attempts b[\s\S]*(Index Cond|Recheck Cond): \(job_id = c\.id\)/);
    // Listing reads the job's row and its own entries, each from its primary key.
    expect(plans.list).toMatch(/Limit[\s\S]*jobs_pkey[\s\S]*Cond: \(id = \$1\)[\s\S]*job_attempts_pkey[\s\S]*Cond: \(job_id = \$1\)/);
    for (const plan of Object.values(plans)) expect(plan).not.toMatch(/Seq Scan/);
    expect((await store.listAttempts(7)).map((attempt) => attempt.attempt)).toEqual([3, 2, 1]);
  });
});
