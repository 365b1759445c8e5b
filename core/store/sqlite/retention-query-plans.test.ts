import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateSqlite } from './sqlite-migrations.js';
import { RETENTION_SQL } from './retention.js';

function planOf(db: Database.Database, text: string, params: Record<string, unknown>): string {
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(params) as { detail: string }[];
  return rows.map((row) => row.detail).join('\n');
}

describe('SQLite query plans of retention', () => {
  it('reads and removes finished jobs through the finished-jobs index, without sorting', () => {
    const db = new Database(':memory:');
    migrateSqlite(db, ':memory:');
    const insert = db.prepare(
      `INSERT INTO jobs (service, task, input, status, max_attempts, created, run_at, completed) VALUES (?, 'echo', 'null', ?, 3, 0, 0, ?)`,
    );
    const statuses = ['completed', 'error', 'cancelled', 'queued'];
    db.transaction(() => {
      for (let index = 0; index < 20_000; index += 1) {
        const status = statuses[index % 4];
        insert.run(index % 10 === 0 ? '@other' : '@plan', status, status === 'queued' ? null : index);
      }
    })();
    db.exec('ANALYZE');
    const range = { service: '@plan', status: 'completed', afterCompleted: -1, afterId: -1 };
    const plans = [
      planOf(db, RETENTION_SQL.finishedPosition, { service: '@plan', status: 'error', offset: 99 }),
      planOf(db, RETENTION_SQL.batchEnd, { ...range, offset: 999 }),
      planOf(db, RETENTION_SQL.removeRange, { ...range, upperCompleted: 5000, upperId: 0, now: 0 }),
    ];
    for (const plan of plans) {
      expect(plan).toMatch(/SEARCH jobs USING (COVERING )?INDEX jobs_finished \(service=\? AND status=\? AND completed[<>]\?/);
      expect(plan).not.toMatch(/TEMP B-TREE|SCAN jobs\b/);
    }
    db.close();
  });
});
