import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateSqlite } from './sqlite-migrations.js';
import { CLAIM_SQL } from './claim.js';
import { JOBS_SQL } from './jobs-sql.js';

/** EXPLAIN QUERY PLAN of a statement, one line per step. */
function planOf(db: Database.Database, text: string): string {
  const params = { service: '@plan', now: 10, workerId: 'w', until: 1, limit: 500 };
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(params) as { detail: string }[];
  return rows.map((row) => row.detail).join('\n');
}

describe('SQLite query plans with priorities', () => {
  it('claims in priority order from the due index without sorting, and finds the next due job by probes of it', () => {
    const db = new Database(':memory:');
    migrateSqlite(db, ':memory:');
    const insert = db.prepare(
      `INSERT INTO jobs (service, task, input, status, max_attempts, created, run_at, priority) VALUES ('@plan', 'echo', 'null', 'queued', 3, 0, 0, ?)`,
    );
    db.transaction(() => {
      for (let index = 0; index < 20_000; index += 1) insert.run(index % 5);
    })();
    db.exec('ANALYZE');
    const claim = planOf(db, CLAIM_SQL.dueBatch);
    expect(claim).toMatch(/SEARCH jobs USING INDEX jobs_due \(service=\?\)/);
    expect(claim).not.toMatch(/TEMP B-TREE|SCAN jobs/);
    for (const text of [JOBS_SQL.nextRunAt, JOBS_SQL.hasWaiting]) {
      const plan = planOf(db, text);
      expect(plan).toMatch(/SEARCH jobs USING (COVERING )?INDEX jobs_due \(service=\? AND priority=\?\)/);
      expect(plan).not.toMatch(/TEMP B-TREE|SCAN jobs\b/);
    }
    db.close();
  });
});
