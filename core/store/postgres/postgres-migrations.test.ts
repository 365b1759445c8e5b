import { describe, expect, it } from 'vitest';
import { PostgresJobStore } from './postgres-job-store.js';
import { LATEST_POSTGRES_SCHEMA_VERSION, POSTGRES_MIGRATIONS, migratePostgres } from './postgres-migrations.js';
import { zeroCounts } from '../store-rules.js';
import { withAdmin, queuedJob, everyMinute, usePostgresTestStores } from '../../../test/helpers/postgres-test-stores.js';

const { database: DATABASE, openStores, openStore, closeStore, newSchema } = usePostgresTestStores();

describe('PostgresJobStore migrations', () => {
  describe('migrations', () => {
    it('runs concurrently from three instances without error and records each migration once', async () => {
      const schema = newSchema();
      await Promise.all([openStore(schema), openStore(schema), openStore(schema)]);
      const { rows } = await withAdmin(DATABASE, (admin) =>
        admin.query<{ version: number }>(`SELECT version FROM ${schema}.migrations ORDER BY version`),
      );
      expect(rows.map((row) => row.version)).toEqual(POSTGRES_MIGRATIONS.map((migration) => migration.version));
    });

    it('upgrades a schema created at version 1 in place: its jobs gain a null time limit', async () => {
      const schema = newSchema();
      const oldJob = await withAdmin(DATABASE, async (admin) => {
        await migratePostgres(admin, schema, POSTGRES_MIGRATIONS.filter((migration) => migration.version === 1));
        const { rows } = await admin.query<{ id: string }>(
          `INSERT INTO ${schema}.jobs (service, task, input, status, max_attempts, created, run_at)
           VALUES ('@old', 'echo', '{"n": 1}', 'queued', 3, 1000, 0) RETURNING id`,
        );
        return Number(rows[0].id);
      });
      const store = await openStore(schema);
      const { rows } = await withAdmin(DATABASE, (admin) =>
        admin.query<{ version: number }>(`SELECT version FROM ${schema}.migrations ORDER BY version`),
      );
      expect(rows.map((row) => row.version)).toEqual(POSTGRES_MIGRATIONS.map((migration) => migration.version));
      expect(await store.get(oldJob)).toMatchObject({ service: '@old', input: { n: 1 }, status: 'queued', timeout: null });
      const limited = await store.insert(queuedJob('@old', { timeout: 2_000 }));
      expect(await store.get(limited.id)).toMatchObject({ timeout: 2_000 });
    });

    it('upgrades a version 2 schema holding jobs of every status: lists and counts stay right', async () => {
      const schema = newSchema();
      await withAdmin(DATABASE, async (admin) => {
        await migratePostgres(admin, schema, POSTGRES_MIGRATIONS.filter((migration) => migration.version <= 2));
        await admin.query(
          `INSERT INTO ${schema}.jobs (service, task, status, max_attempts, created, run_at, locked_by, locked_until)
           SELECT '@old', 'echo', status, 3, 1000, 0,
                  CASE WHEN status = 'processing' THEN 'gone-worker' END, CASE WHEN status = 'processing' THEN 5000 END
           FROM unnest(ARRAY['queued', 'processing', 'processing', 'completed', 'completed', 'completed', 'error', 'start later']) AS status`,
        );
      });
      const store = await openStore(schema);
      expect(await store.countByStatus('@old')).toEqual({
        ...zeroCounts(), queued: 1, processing: 2, completed: 3, error: 1, 'start later': 1,
      });
      const all = await store.list({ service: '@old', limit: 100 });
      expect(all.jobs.map((job) => job.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const running = await store.list({ service: '@old', status: ['processing'], limit: 100 });
      expect(running.jobs.map((job) => job.id)).toEqual([2, 3]);
      const { rows: indexes } = await withAdmin(DATABASE, (admin) =>
        admin.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname`, [schema]),
      );
      expect(indexes.map((index) => index.indexname)).toEqual(
        [
          'batches_pkey', 'gate_windows_ended_idx', 'gate_windows_pkey', 'job_attempts_pkey', 'job_parents_parent_idx', 'job_parents_pkey', 'jobs_batch_idx', 'jobs_claim_idx',
          'jobs_finished_idx', 'jobs_gate_queue_idx', 'jobs_gate_running_idx', 'jobs_gate_waiting_idx', 'jobs_key_idx', 'jobs_lease_idx', 'jobs_pkey',
          'jobs_service_brin', 'jobs_service_status_idx', 'jobs_task_claim_idx', 'migrations_pkey', 'paused_services_pkey', 'processes_pkey',
        ],
      );
      // The expired leases of the jobs written by the old version are swept back as before.
      expect(await store.recoverExpired(10_000)).toBe(2);
      expect((await store.countByStatus('@old')).processing).toBe(0);
      // ...each recorded as a lost attempt in the history the upgrade added.
      expect((await store.listAttempts(2)).map((attempt) => attempt.outcome)).toEqual(['lost']);
    });

    it('upgrades a version 3 schema: completed jobs are counted from the backfilled deltas, and listed', async () => {
      const schema = newSchema();
      await withAdmin(DATABASE, async (admin) => {
        await migratePostgres(admin, schema, POSTGRES_MIGRATIONS.filter((migration) => migration.version <= 3));
        await admin.query(
          `INSERT INTO ${schema}.jobs (service, task, status, max_attempts, created, run_at, completed)
           SELECT service, 'echo', status, 3, 1000, 0, CASE WHEN status = 'completed' THEN 2000 END
           FROM unnest(ARRAY['@a', '@b', '@a', '@a', '@b', '@c'], ARRAY['completed', 'completed', 'queued', 'completed', 'error', 'queued'])
             AS u(service, status)`,
        );
      });
      const store = await openStore(schema);
      expect(await store.countByStatus('@a')).toEqual({ ...zeroCounts(), completed: 2, queued: 1 });
      expect(await store.countByStatus('@b')).toEqual({ ...zeroCounts(), completed: 1, error: 1 });
      expect(await store.countByStatus('@c')).toEqual({ ...zeroCounts(), queued: 1 });
      expect(await store.countByStatus()).toEqual({ ...zeroCounts(), completed: 3, queued: 2, error: 1 });
      const completedOfA = await store.list({ service: '@a', status: ['completed'], sort: '-id', limit: 1 });
      expect(completedOfA.jobs.map((job) => job.id)).toEqual([4]);
      expect((await store.list({ service: '@a', status: ['completed'], cursor: completedOfA.nextCursor!, sort: '-id' })).jobs.map((job) => job.id)).toEqual([1]);
      expect((await store.list({ service: '@c', status: ['completed'] })).jobs).toEqual([]);
      expect((await store.list({ service: '@a' })).jobs.map((job) => [job.id, job.status])).toEqual([[1, 'completed'], [3, 'queued'], [4, 'completed']]);

      // A completed job is no longer written to the status index.
      const { rows } = await withAdmin(DATABASE, (admin) =>
        admin.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'jobs_service_status_idx'`, [schema]),
      );
      expect(rows[0].indexdef).toMatch(/WHERE \(status <> ALL \(ARRAY\['processing'::text, 'completed'::text\]\)\)/);

      // Counts follow what happens next: a job of @c completes, @a's completed jobs are cleaned.
      const [claimed] = await store.claim({ service: '@c', now: 10, workerId: 'w', leaseMs: 60_000, nextRunAt: everyMinute });
      await store.finish([{ id: claimed.id, workerId: 'w', now: 20, kind: 'completed', result: null }]);
      expect(await store.countByStatus('@c')).toEqual({ ...zeroCounts(), completed: 1 });
      expect(await store.clean('@a', ['completed', 'queued'])).toBe(3);
      expect(await store.countByStatus()).toEqual({ ...zeroCounts(), completed: 2, error: 1 });
    });

    it('keeps completed counts exact while finishes, cleans and compactions run at once', async () => {
      const store = await openStore();
      const other = await openStore(openStores.get(store)!);
      const services = ['@x', '@y', '@z'];
      await store.insertMany(services.flatMap((service) => Array.from({ length: 300 }, () => queuedJob(service))));
      // Each store claims and finishes in small batches (one count delta per batch and service),
      // while both keep folding the deltas.
      const work = (worker: PostgresJobStore, workerId: string) => async () => {
        for (;;) {
          const claimed = (
            await Promise.all(services.map((service) => worker.claim({ service, now: 10, workerId, leaseMs: 60_000, limit: 7, nextRunAt: everyMinute })))
          ).flat();
          if (claimed.length === 0) return;
          await Promise.all([
            worker.finish(claimed.map((job) => ({ id: job.id, workerId, now: 20, kind: 'completed' as const, result: null }))),
            worker.compactCompletedCounts(),
          ]);
        }
      };
      await Promise.all([work(store, 'w1')(), work(other, 'w2')()]);
      for (const service of services) expect(await store.countByStatus(service)).toEqual({ ...zeroCounts(), completed: 300 });
      expect((await store.countByStatus()).completed).toBe(900);

      await Promise.all([store.clean('@x', ['completed']), other.compactCompletedCounts(), store.compactCompletedCounts()]);
      await store.compactCompletedCounts();
      expect(await other.countByStatus('@x')).toEqual(zeroCounts());
      expect((await other.countByStatus()).completed).toBe(600);
      // Folded: one row per service that still has completed jobs.
      const { rows } = await withAdmin(DATABASE, (admin) =>
        admin.query<{ service: string; delta: string }>(`SELECT service, delta FROM ${openStores.get(store)}.completed_counts ORDER BY service`),
      );
      expect(rows).toEqual([{ service: '@y', delta: '300' }, { service: '@z', delta: '300' }]);
    });

    it('refuses a database whose schema is newer than the code', async () => {
      const schema = newSchema();
      await closeStore(await openStore(schema));
      const newer = LATEST_POSTGRES_SCHEMA_VERSION + 1;
      await withAdmin(DATABASE, (admin) =>
        admin.query(`INSERT INTO ${schema}.migrations (version, name) VALUES ($1, 'from the future')`, [newer]),
      );
      await expect(openStore(schema)).rejects.toThrow(`is at version ${newer}, newer than this remotetask knows`);
    });

  });
});
