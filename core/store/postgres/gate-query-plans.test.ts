import { describe, expect, it } from 'vitest';
import { STORE_PLANNER_SETTINGS } from './postgres-job-store.js';
import { claimText } from './claim.js';
import { claimLimitedText, claimQueuedText, gatesText } from './gates.js';
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
    const limits = { convert: { concurrency: 1, partitionBy: 'customer' } };
    const claim = (limit: number) => store.claim({ service: '@plan', now: 10, workerId: 'w', leaseMs: 60_000, limit, nextRunAt: () => null, limits });
    // One job per partition and per queue, then plain jobs: 3,000 running, as under a busy fleet.
    const first = await claim(3_000);
    expect(first.filter((job) => job.gate?.startsWith('["limit"'))).toHaveLength(200);
    expect(first.filter((job) => job.gate?.startsWith('["queue"'))).toHaveLength(100);
    // Every gate is closed now: the next claim takes plain jobs only.
    expect((await claim(500)).every((job) => job.gate === null)).toBe(true);

    const tables = tablesIn(`"${schema}"`);
    const plans = await withAdmin(DATABASE, async (admin) => {
      await admin.query(`ANALYZE ${schema}.jobs`);
      for (const [name, value] of Object.entries(STORE_PLANNER_SETTINGS)) await admin.query(`SET ${name} = ${value}`);
      await admin.query(`PREPARE claim AS ${claimText(tables)}`);
      await admin.query(`PREPARE gates AS ${gatesText(tables)}`);
      await admin.query(`PREPARE claim_limited AS ${claimLimitedText(tables)}`);
      await admin.query(`PREPARE claim_queued AS ${claimQueuedText(tables)}`);
      const explain = async (execute: string) =>
        (await admin.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${execute}`)).rows.map((row) => row['QUERY PLAN']).join('\n');
      return {
        claim: await explain(`EXECUTE claim('@plan', 10, 500, 'w', 1000)`),
        gates: await explain(`EXECUTE gates('@plan')`),
        limited: await explain(`EXECUTE claim_limited('@plan', 10, '${limited}', 'w', 1000, 5, NULL, 1, NULL, NULL, NULL)`),
        queued: await explain(`EXECUTE claim_queued('@plan', 10, '${queue}', 'w', 1000, 1, NULL, NULL)`),
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
