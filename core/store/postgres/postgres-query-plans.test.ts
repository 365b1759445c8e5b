import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { STORE_PLANNER_SETTINGS, withPlannerSettings } from './postgres-job-store.js';
import { claimText } from './claim.js';
import { finishText } from './finish.js';
import { tablesIn } from './tables.js';
import { withAdmin, queuedJob, usePostgresTestStores } from '../../../test/helpers/postgres-test-stores.js';

const { database: DATABASE, openStores, openStore, closeStore } = usePostgresTestStores();

describe('PostgresJobStore query plans', () => {
  describe('query plans', () => {
    // Since migration 8 the finished-jobs index of (service, status, completed, id) finds them too
    // (an index the planner prefers to the BRIN summary); either way no walk of the other service's.
    it("lists a small service's completed jobs from an index of the service, not by walking another service's million", async () => {
      const store = await openStore();
      const schema = openStores.get(store)!;
      await withAdmin(DATABASE, async (admin) => {
        await admin.query(
          `INSERT INTO ${schema}.jobs (service, task, status, max_attempts, created, run_at, completed)
           SELECT CASE WHEN g BETWEEN 10000 AND 10004 THEN '@small' ELSE '@big' END, 'echo', 'completed', 3, g, 0, g
           FROM generate_series(1, 20000) g`,
        );
        await admin.query(`INSERT INTO ${schema}.completed_counts VALUES ('@small', 5), ('@big', 19995)`);
        await admin.query(`VACUUM ANALYZE ${schema}.jobs`);
      });
      const page = await store.list({ service: '@small', status: ['completed'], sort: '-id' });
      expect(page.jobs.map((job) => job.id)).toEqual([10004, 10003, 10002, 10001, 10000]);
      // A session's statistics reach pg_stat_user_indexes when it ends (or after some idle time).
      await closeStore(store);
      const serviceIndexScans = () =>
        withAdmin(DATABASE, async (admin) => {
          const { rows } = await admin.query<{ scans: string }>(
            `SELECT coalesce(sum(idx_scan), 0) AS scans FROM pg_stat_user_indexes
             WHERE schemaname = $1 AND indexrelname IN ('jobs_service_brin', 'jobs_finished_idx')`,
            [schema],
          );
          return Number(rows[0].scans);
        });
      const deadline = Date.now() + 15_000;
      while ((await serviceIndexScans()) === 0) {
        if (Date.now() > deadline) throw new Error('the listing read neither the BRIN index nor the finished-jobs index (no scan recorded within 15 s)');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    });

    it("sets the planner settings on every connection of the store's pool, next to options of the URL's own", async () => {
      const store = await openStore();
      // A statement through the store's own pool reads its session's settings.
      const pool = (store as unknown as { connection: { pool: pg.Pool } }).connection.pool;
      const { rows } = await pool.query<{ plan_cache_mode: string; enable_hashjoin: string; enable_mergejoin: string; jit: string }>(
        `SELECT current_setting('plan_cache_mode') AS plan_cache_mode, current_setting('enable_hashjoin') AS enable_hashjoin,
                current_setting('enable_mergejoin') AS enable_mergejoin, current_setting('jit') AS jit`,
      );
      expect(rows[0]).toEqual(STORE_PLANNER_SETTINGS);
      expect(withPlannerSettings('postgres://u@h/db?options=-c%20statement_timeout%3D5000')).toEqual({
        connectionString: 'postgres://u@h/db?options=-c+statement_timeout%3D5000+-c+plan_cache_mode%3Dforce_generic_plan+-c+enable_hashjoin%3Doff+-c+enable_mergejoin%3Doff+-c+jit%3Doff',
      });
    });

    // With 1,000,000 jobs queued, the generic plans of the gates probe and of a claim of 800 were
    // priced above jit_above_cost (100,000): each call compiled about 25 functions, 10 to 20 ms of
    // server time for a statement that runs in a fraction of one. The server's threshold stands
    // for a large table here: set to 0, every statement would be compiled were JIT on.
    it("never JIT-compiles a claim on its connections, however large the table's statistics price it", async () => {
      const store = await openStore();
      const schema = openStores.get(store)!;
      await store.insertMany(Array.from({ length: 100 }, () => queuedJob('@jit')));
      const pool = (store as unknown as { connection: { pool: pg.Pool } }).connection.pool;
      const client = await pool.connect();
      try {
        await client.query('SET jit_above_cost = 0');
        const tables = tablesIn(`"${schema}"`);
        const { rows } = await client.query<{ 'QUERY PLAN': unknown }>({
          text: `EXPLAIN (ANALYZE, FORMAT JSON) ${claimText(tables)}`,
          values: ['@jit', Date.now(), 50, 'w', Date.now() + 60_000],
        });
        const plan = JSON.stringify(rows[0]['QUERY PLAN']);
        expect(plan).toContain('"Actual Rows":50');
        expect(plan).not.toContain('"JIT"');
      } finally {
        await client.query('RESET jit_above_cost');
        client.release();
      }
    });

    it('claim and finish probe their rows, with statistics taken while a backlog waited and nothing ran', async () => {
      const store = await openStore();
      const schema = openStores.get(store)!;
      await store.insertMany(Array.from({ length: 20_000 }, () => queuedJob('@plan')));
      const tables = tablesIn(`"${schema}"`);
      const plans = await withAdmin(DATABASE, async (admin) => {
        await admin.query(`ANALYZE ${schema}.jobs`);
        for (const [name, value] of Object.entries(STORE_PLANNER_SETTINGS)) await admin.query(`SET ${name} = ${value}`);
        await admin.query(`PREPARE claim AS ${claimText(tables)}`);
        await admin.query(`PREPARE finish AS ${finishText(tables)}`);
        const explain = async (execute: string) =>
          (await admin.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${execute}`)).rows.map((row) => row['QUERY PLAN']).join('\n');
        return {
          claim: await explain(`EXECUTE claim('@plan', 10, 500, 'w', 1000)`),
          finish: await explain(`EXECUTE finish('{1,2,3}', '{w}', '{completed}', '{20,20,20}', '{}', '{}', '{}', '{}')`),
        };
      });
      expect(plans.claim).toMatch(/Index Scan using jobs_claim_idx/);
      expect(plans.claim).toMatch(/Nested Loop[\s\S]*Tid Scan on jobs j/);
      expect(plans.finish).toMatch(/Nested Loop[\s\S]*Index Scan using jobs_pkey on jobs j/);
      for (const plan of Object.values(plans)) expect(plan).not.toMatch(/Seq Scan on jobs/);
    });
  });
});
