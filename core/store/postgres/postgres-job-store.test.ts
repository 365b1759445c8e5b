import { describe, expect, it } from 'vitest';
import type { JobStore } from '../job-store.js';
import { describeJobStoreContract } from '../contract/job-store.contract.js';
import { PostgresJobStore } from './postgres-job-store.js';
import { withAdmin, queuedJob, everyMinute, usePostgresTestStores } from '../../../test/helpers/postgres-test-stores.js';

const { database: DATABASE, url, openStores, openStore, closeStore, newSchema } = usePostgresTestStores();

describeJobStoreContract('postgres', () => openStore(), closeStore, {
  reopen: async (store) => {
    const schema = openStores.get(store)!;
    await closeStore(store);
    return openStore(schema);
  },
});

describe('PostgresJobStore', () => {
  describe('columns and schema', () => {
    it('reads its int8 columns as exact numbers, and leaves int8 parsing alone for everyone else', async () => {
      const store = await openStore();
      const job = await store.insert(queuedJob('@a', { status: 'cronjob', runAt: Number.MAX_SAFE_INTEGER, created: 1_700_000_000_123 }));
      expect(await store.get(job.id)).toMatchObject({ runAt: Number.MAX_SAFE_INTEGER, created: 1_700_000_000_123 });
      const int8 = await withAdmin(DATABASE, (client) => client.query<{ n: unknown }>('SELECT 1::int8 AS n'));
      expect(int8.rows[0].n).toBe('1');
    });

    it('refuses a schema name that is not a plain identifier', () => {
      expect(() => new PostgresJobStore({ url, schema: 'jobs; DROP TABLE x' })).toThrow(/schema name .* is not valid/);
    });
  });

  describe('claim', () => {
    it('hands out each of 2,000 jobs exactly once to two store instances claiming at once', async () => {
      const schema = newSchema();
      const [first, second] = await Promise.all([openStore(schema, 8), openStore(schema, 8)]);
      const total = 2_000;
      await first.insertMany(Array.from({ length: total }, (_, index) => queuedJob('@race', { input: index })));

      const claimedBy = new Map<number, string>();
      const duplicates: number[] = [];
      const worker = async (store: PostgresJobStore, workerId: string) => {
        for (;;) {
          const jobs = await store.claim({ service: '@race', now: 5_000, workerId, leaseMs: 60_000, limit: 25, nextRunAt: everyMinute });
          if (jobs.length === 0) return;
          for (const job of jobs) {
            if (claimedBy.has(job.id)) duplicates.push(job.id);
            claimedBy.set(job.id, workerId);
          }
          const applied = await store.finish(
            jobs.map((job) => ({ id: job.id, workerId, now: 6_000, kind: 'completed' as const, result: job.input })),
          );
          expect(applied).toHaveLength(jobs.length);
        }
      };
      await Promise.all(
        [first, second].flatMap((store, machine) =>
          Array.from({ length: 6 }, (_, index) => worker(store, `machine${machine}-worker${index}`)),
        ),
      );

      expect(duplicates).toEqual([]);
      expect(claimedBy.size).toBe(total);
      expect(new Set(claimedBy.values()).size).toBeGreaterThan(2);
      expect((await first.countByStatus('@race')).completed).toBe(total);
    });

    it('claims one cron occurrence once across store instances and moves it to the next one', async () => {
      const schema = newSchema();
      const [first, second] = await Promise.all([openStore(schema), openStore(schema)]);
      const cron = await first.insert(
        queuedJob('@cron', { status: 'cronjob', runAt: 600_000, schedule: { minute: [10] } }),
      );
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          (index % 2 ? first : second).claim({
            service: '@cron',
            now: 600_000,
            workerId: `w${index}`,
            leaseMs: 60_000,
            nextRunAt: (_schedule, now) => now + 3_600_000,
          }),
        ),
      );
      const claimed = claims.flat();
      expect(claimed).toHaveLength(1);
      expect(claimed[0]).toMatchObject({ id: cron.id, status: 'cronjob', attempts: 1, runAt: 4_200_000, started: 600_000 });
      expect(await second.get(cron.id)).toEqual(claimed[0]);
    });

  });

  describe('connection errors', () => {
    it('says clearly that the server is unreachable, without the password', async () => {
      const store = new PostgresJobStore({ url: 'postgres://postgres:s3cret-pw@127.0.0.1:1/remotetask' });
      const error: Error = await store.open().then(
        () => new Error('open() succeeded'),
        (reason: Error) => reason,
      );
      expect(error.message).toMatch(/^PostgreSQL at 127\.0\.0\.1:1 is not reachable: .*ECONNREFUSED/);
      expect(error.message).not.toContain('s3cret-pw');
      expect(error.stack ?? '').not.toContain('s3cret-pw');
    });
  });
});
