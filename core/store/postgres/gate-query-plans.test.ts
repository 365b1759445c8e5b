import { describe, expect, it } from 'vitest';
import { STORE_PLANNER_SETTINGS } from './postgres-job-store.js';
import { claimText } from './claim.js';
import { gatesText } from './gates.js';
import { limitGate, queueGate } from '../gate-rules.js';
import { tablesIn } from './tables.js';
import { withAdmin, queuedJob, usePostgresTestStores } from '../../../test/helpers/postgres-test-stores.js';

const { database: DATABASE, openStores, openStore } = usePostgresTestStores();

describe('PostgresJobStore query plans with limits and serial queues', () => {
  it('claims plain jobs from the claim index past 20,000 held-back gated jobs, and reads each gate by its own indexes', async () => {
    const store = await openStore();
    const schema = openStores.get(store)!;
    // 20,000 jobs of a limit partitioned 200 ways, 2,000 jobs in 100 serial queues, 4,000 plain jobs.
    const limited = limitGate('convert', 7);
    const queue = queueGate('q7');
    await store.insertMany([
      ...Array.from({ length: 20_000 }, (_, n) => queuedJob('@plan', { task: 'convert', gate: limitGate('convert', n % 200) })),
      ...Array.from({ length: 2_000 }, (_, n) => queuedJob('@plan', { gate: queueGate(`q${n % 100}`) })),
      ...Array.from({ length: 4_000 }, () => queuedJob('@plan')),
    ]);
    const tables = tablesIn(`"${schema}"`);
    const limits = { convert: { concurrency: 1, partitionBy: 'customer' } };
    const claim = (limit: number) => store.claim({ service: '@plan', now: 10, workerId: 'w', leaseMs: 60_000, limit, nextRunAt: () => null, limits });
    // One job per partition and per queue, then plain jobs: 3,000 running, as under a busy fleet.
    const first = await claim(3_000);
    expect(first.filter((job) => job.gate?.startsWith('["limit"'))).toHaveLength(200);
    expect(first.filter((job) => job.gate?.startsWith('["queue"'))).toHaveLength(100);
    // Every gate is closed now: the next claim takes plain jobs only.
    expect((await claim(500)).every((job) => job.gate === null)).toBe(true);

    const plans = await withAdmin(DATABASE, async (admin) => {
      // Each probe of the loose scan over gates reads one index entry per gate, whatever the
      // statistics say (run before ANALYZE: with stale ones, min() read every waiting gated job).
      const { rows: [analyzed] } = await admin.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${gatesText(tables).replaceAll('$1', `'@plan'`)}`,
      );
      const probes = nodes(analyzed['QUERY PLAN'][0].Plan).filter((node) => node['Index Name'] === 'jobs_gate_waiting_idx');
      expect(probes.length).toBeGreaterThan(0);
      for (const probe of probes) expect(probe['Actual Rows']).toBeLessThanOrEqual(1);
      await admin.query(`ANALYZE ${schema}.jobs`);
      for (const [name, value] of Object.entries(STORE_PLANNER_SETTINGS)) await admin.query(`SET ${name} = ${value}`);
      await admin.query(`PREPARE claim AS ${claimText(tables)}`);
      await admin.query(`PREPARE gates AS ${gatesText(tables)}`);
      // A gate's claim is the query its function runs under the gate's lock: prepared from the
      // function's own body, with the function's parameter types.
      for (const name of ['claim_limited', 'claim_queued']) {
        const { rows } = await admin.query<{ source: string; types: string }>(
          `SELECT p.prosrc AS source, pg_get_function_identity_arguments(p.oid) AS types FROM pg_proc p
           JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND p.proname = $2`,
          [schema, name],
        );
        const query = /RETURN QUERY([\s\S]*?SELECT \* FROM claimed);/.exec(rows[0].source)![1];
        await admin.query(`PREPARE ${name}(${rows[0].types}) AS ${query}`);
      }
      const explain = async (execute: string) =>
        (await admin.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${execute}`)).rows.map((row) => row['QUERY PLAN']).join('\n');
      return {
        claim: await explain(`EXECUTE claim('@plan', 10, 500, 'w', 1000)`),
        gates: await explain(`EXECUTE gates('@plan')`),
        limited: await explain(`EXECUTE claim_limited('@plan', 10, '${limited}', 'w', 1000, 5, NULL, 1, NULL, NULL, NULL, 'key', NULL)`),
        queued: await explain(`EXECUTE claim_queued('@plan', 10, '${queue}', 'w', 1000, 1, NULL, NULL, 'key')`),
      };
    });
    expect(plans.claim).toMatch(/Index Scan using jobs_claim_idx/);
    expect(plans.claim).not.toMatch(/Sort/);
    // One probe per gate (a loose scan), then per gate its first job, running count and queue head.
    expect(plans.gates).toMatch(/Recursive Union/);
    expect(plans.gates).toMatch(/jobs_gate_waiting_idx/);
    expect(plans.gates).toMatch(/jobs_gate_running_idx/);
    expect(plans.gates).toMatch(/jobs_gate_queue_idx/);
    expect(plans.limited).toMatch(/Index Scan using jobs_gate_waiting_idx/);
    expect(plans.limited).toMatch(/jobs_gate_running_idx/);
    expect(plans.queued).toMatch(/jobs_gate_queue_idx/);
    for (const plan of Object.values(plans)) expect(plan).not.toMatch(/Seq Scan on jobs|Bitmap/);
  });
});

interface PlanNode {
  'Index Name'?: string;
  'Actual Rows': number;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}
