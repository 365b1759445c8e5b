/**
 * Unique keys across processes: two real processes add the same 1,000 keyed jobs (500 distinct
 * keys) at the same moment on one PostgreSQL schema; the store's unique index leaves exactly one
 * job per key, and each add said whether it created the job or found it.
 */
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { usePostgresTestStores } from './helpers/postgres-test-stores.js';
import { REPO_ROOT, spawnWatched } from './helpers/spawn-remotetask.js';

const { url, newSchema, openStore, closeStore } = usePostgresTestStores();
const FIXTURE = fileURLToPath(new URL('./fixtures/add-keyed-jobs.ts', import.meta.url));
const GATE_LOCK = 4_151_515;

describe('PostgreSQL store: keyed jobs added by two processes at once', { timeout: 120_000 }, () => {
  it('two processes racing to add 1,000 keyed jobs (500 distinct keys) leave exactly 500', async () => {
    const schema = newSchema();
    const store = await openStore(schema);
    const gate = new pg.Client({ connectionString: url });
    await gate.connect();
    try {
      // Held until both processes are ready: they start adding when it is let go.
      await gate.query('SELECT pg_advisory_lock($1)', [GATE_LOCK]);
      const processes = [0, 1].map(() =>
        spawnWatched(process.execPath, ['--import', 'tsx', FIXTURE, url, schema, String(GATE_LOCK)], { cwd: REPO_ROOT }),
      );
      await Promise.all(processes.map((child) => child.waitForOutput(/^ready$/m, 60_000)));
      await gate.query('SELECT pg_advisory_unlock($1)', [GATE_LOCK]);
      const exits = await Promise.all(processes.map((child) => child.exited));
      expect(exits.map((exit) => exit.code), processes.map((child) => child.output()).join('\n')).toEqual([0, 0]);
      const outcomes = processes.map((child) => JSON.parse(/^outcomes (.*)$/m.exec(child.output())![1]) as Record<string, number>);

      const jobs: { key: string; input: { pid: number } }[] = [];
      for (let cursor: string | undefined, page; (page = await store.list({ service: '@Svc', limit: 1000, cursor })); cursor = page.nextCursor) {
        jobs.push(...page.jobs.map((job) => ({ key: job.key!, input: job.input as { pid: number } })));
        if (!page.nextCursor) break;
      }
      expect(jobs).toHaveLength(500);
      expect(new Set(jobs.map((job) => job.key)).size).toBe(500);
      // Every add was answered: 500 created between the two, the other 1,500 found the job.
      expect(outcomes.reduce((sum, counts) => sum + counts.created, 0)).toBe(500);
      expect(outcomes.reduce((sum, counts) => sum + counts.existing, 0)).toBe(1_500);
      expect(outcomes.every((counts) => counts.replaced === 0)).toBe(true);
    } finally {
      await gate.end();
      await closeStore(store);
    }
  });
});
