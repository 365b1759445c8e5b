import { describe, expect, it } from 'vitest';
import { STORE_PLANNER_SETTINGS } from './postgres-job-store.js';
import { releaseChildrenSql } from './flows-schema.js';
import { flowJob } from '../contract/dependencies.contract.js';
import { batchFlow } from '../contract/batches.contract.js';
import { withAdmin, queuedJob, usePostgresTestStores } from '../../../test/helpers/postgres-test-stores.js';

const { database: DATABASE, openStores, openStore } = usePostgresTestStores();

// The cost of dependencies on the finish path: the trigger's statement reads a parent's edges and
// its children by index, one probe each, whatever the number of jobs and links.
describe('PostgresJobStore query plans of flows and batches', () => {
  it('releases children, counts a batch and lists parents and children by index probes, among 20,000 jobs', async () => {
    const store = await openStore();
    const schema = openStores.get(store)!;
    await store.insertMany(Array.from({ length: 20_000 }, () => queuedJob('@plan')));
    const [parent] = await store.insertMany([queuedJob('@plan')]);
    for (let index = 0; index < 20; index += 1) await store.insertFlow({ jobs: [{ ...flowJob('child', { ids: [parent.id] }), service: '@plan' }] });
    const batch = batchFlow(5_000);
    await store.insertFlow({ ...batch, jobs: batch.jobs.map((job) => ({ ...job, service: '@plan' })) });
    const s = `"${schema}"`;
    const plans = await withAdmin(DATABASE, async (admin) => {
      await admin.query(`ANALYZE ${s}.jobs; ANALYZE ${s}.job_parents`);
      for (const [name, value] of Object.entries(STORE_PLANNER_SETTINGS)) await admin.query(`SET ${name} = ${value}`);
      await admin.query(`PREPARE release(bigint, text, bigint) AS ${releaseChildrenSql(s, { id: '$1', status: '$2', completed: '$3' })} SELECT count(*) FROM changed`);
      await admin.query(`PREPARE counts(bigint, bigint) AS SELECT status, count(*) FROM ${s}.jobs WHERE batch_id = $1 AND id <> $2 GROUP BY status`);
      await admin.query(`PREPARE parents(bigint) AS SELECT j.id FROM ${s}.job_parents d JOIN ${s}.jobs j ON j.id = d.parent_id WHERE d.child_id = $1 ORDER BY d.parent_id LIMIT 1000`);
      await admin.query(`PREPARE children(bigint) AS SELECT j.id FROM ${s}.job_parents d JOIN ${s}.jobs j ON j.id = d.child_id WHERE d.parent_id = $1 ORDER BY d.child_id LIMIT 1000`);
      const explain = async (execute: string) =>
        (await admin.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${execute}`)).rows.map((row) => row['QUERY PLAN']).join('\n');
      return {
        release: await explain(`EXECUTE release(${parent.id}, 'completed', 1)`),
        counts: await explain(`EXECUTE counts(1, 2)`),
        parents: await explain(`EXECUTE parents(${parent.id + 1})`),
        children: await explain(`EXECUTE children(${parent.id})`),
      };
    });
    expect(plans.release).toMatch(/Index Scan using job_parents_parent_idx/);
    expect(plans.release).toMatch(/Index Scan using jobs_pkey on jobs c/);
    expect(plans.counts).toMatch(/jobs_batch_idx/);
    // A child's parents (a batch's callback has thousands): the primary key's entries of that child.
    expect(plans.parents).toMatch(/Index (Only )?Scan (using|on) job_parents_pkey[\s\S]*Index (Only )?Scan using jobs_pkey/);
    expect(plans.children).toMatch(/Index (Only )?Scan (using|on) job_parents_parent_idx[\s\S]*Index (Only )?Scan using jobs_pkey/);
    for (const plan of Object.values(plans)) expect(plan).not.toMatch(/Seq Scan|Hash Join|Merge Join/);
  });
});
