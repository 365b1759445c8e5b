import { describe, expect, it } from 'vitest';
import { STORE_PLANNER_SETTINGS } from './postgres-job-store.js';
import { claimOfTasksText } from './claim.js';
import { tablesIn } from './tables.js';
import { withAdmin, queuedJob, usePostgresTestStores } from '../../../test/helpers/postgres-test-stores.js';

const { database: DATABASE, openStores, openStore } = usePostgresTestStores();

describe('PostgresJobStore query plan of a claim limited to some tasks', () => {
  it('probes the task index once per task, in claim order, with no sort of the queue and no scan of other tasks', async () => {
    const store = await openStore();
    const schema = openStores.get(store)!;
    // Most jobs are of a task the claimer does not serve.
    await store.insertMany(Array.from({ length: 20_000 }, (_, index) =>
      queuedJob('@plan', { task: index % 100 === 0 ? 'upper' : index % 100 === 1 ? 'lower' : 'echo', priority: index % 3 })));
    const plan = await withAdmin(DATABASE, async (admin) => {
      await admin.query(`ANALYZE ${schema}.jobs`);
      for (const [name, value] of Object.entries(STORE_PLANNER_SETTINGS)) await admin.query(`SET ${name} = ${value}`);
      await admin.query(`PREPARE claim_of_tasks AS ${claimOfTasksText(tablesIn(`"${schema}"`))}`);
      const { rows } = await admin.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (COSTS OFF) EXECUTE claim_of_tasks('@plan', 10, 50, 'w', 1000, ARRAY['upper', 'lower'])`);
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Function Scan on unnest t[\s\S]*Limit[\s\S]*LockRows[\s\S]*Index Scan using jobs_task_claim_idx/);
    expect(plan).toMatch(/Index Cond: \(\(service = \$1\) AND \(task = t\.task\)/);
    expect(plan).not.toMatch(/Seq Scan on jobs|Bitmap|jobs_claim_idx/);
    // Only the merge of at most limit × tasks candidates is sorted, never the queue.
    expect(plan.match(/-> +Sort\b/g) ?? []).toHaveLength(1);
    const claimed = await store.claim({ service: '@plan', now: 10, workerId: 'w', leaseMs: 1_000, limit: 500, tasks: ['upper', 'lower'], nextRunAt: () => null });
    expect(claimed).toHaveLength(400);
    expect(new Set(claimed.map((job) => job.task))).toEqual(new Set(['upper', 'lower']));
    expect(claimed.map((job) => job.priority)).toEqual([...claimed.map((job) => job.priority)].sort());
  });
});
