import { describe, expect, it } from 'vitest';
import { limitGate } from '../gate-rules.js';
import { withAdmin, queuedJob, usePostgresTestStores } from '../../../test/helpers/postgres-test-stores.js';

const { database: DATABASE, openStores, openStore } = usePostgresTestStores();

describe('PostgresJobStore rate windows', () => {
  it('counts a partitioned rate per partition, and the claims remove ended windows: no row is kept per partition ever seen', async () => {
    const store = await openStore();
    const schema = openStores.get(store)!;
    const limits = { api: { rate: { count: 1, perMs: 1_000 }, partitionBy: 'customer' } };
    // Two jobs for each of 300 customers: one per customer per second may be claimed.
    await store.insertMany(Array.from({ length: 600 }, (_, n) => queuedJob('@rate', { task: 'api', gate: limitGate('api', n % 300) })));
    const claim = (now: number, limit: number) => store.claim({ service: '@rate', now, workerId: 'w', leaseMs: 60_000, limit, nextRunAt: () => null, limits });
    const windows = () => withAdmin(DATABASE, async (admin) =>
      (await admin.query<{ n: number; ended: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE window_end <= 5000)::int AS ended FROM "${schema}".gate_windows`,
      )).rows[0]);

    expect(await claim(10, 1_000)).toHaveLength(300);
    expect(await claim(20, 1_000)).toHaveLength(0);
    expect(await windows()).toEqual({ n: 300, ended: 300 });

    // A second later each customer may have one more: each of these claims also removes up to 100
    // windows that ended (never the one it counts in).
    for (let customer = 0; customer < 3; customer++) {
      const claimed = await store.claim({ service: '@rate', now: 5_000, workerId: 'w', leaseMs: 60_000, limit: 1, nextRunAt: () => null, limits });
      expect(claimed).toHaveLength(1);
    }
    const after = await windows();
    expect(after.n).toBeLessThanOrEqual(3 + 300 - 3 * 100 + 3);
    expect(after.n - after.ended).toBe(3);
  });
});
