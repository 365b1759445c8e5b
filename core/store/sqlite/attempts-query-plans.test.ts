import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateSqlite } from './sqlite-migrations.js';
import { ATTEMPTS_SQL } from './attempts.js';

/** EXPLAIN QUERY PLAN of a statement, one line per step. */
function planOf(db: Database.Database, text: string, ...params: unknown[]): string {
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...params) as { detail: string }[];
  return rows.map((row) => row.detail).join('\n');
}

describe('SQLite query plans of the attempt history', () => {
  it('records, cuts and lists a job\'s attempts by the primary keys of jobs and job_attempts only', () => {
    const db = new Database(':memory:');
    migrateSqlite(db, ':memory:');
    const job = db.prepare(`INSERT INTO jobs (service, task, input, status, max_attempts, created, run_at) VALUES ('@plan', 'echo', 'null', 'processing', 3, 0, 0)`);
    const attempt = db.prepare(`INSERT INTO job_attempts (job_id, n, attempt, ended, worker_id, outcome) VALUES (?, ?, 1, 0, 'w', 'retry')`);
    db.transaction(() => {
      for (let id = 1; id <= 5_000; id += 1) {
        job.run();
        for (let n = 1; n <= 3; n += 1) attempt.run(id, n);
      }
    })();
    db.exec('ANALYZE');
    const record = planOf(db, ATTEMPTS_SQL.recordAttempts, '[[1,"w",1,"completed",null,null]]');
    expect(record).toMatch(/SEARCH jobs USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    expect(record).toMatch(/SEARCH job_attempts USING PRIMARY KEY \(job_id=\?\)/);
    const cut = planOf(db, ATTEMPTS_SQL.pruneAttempts, '[1]');
    // Each job of the batch: a range of its key, and the 26th newest entry found in the same range.
    expect(cut).toMatch(/SEARCH job_attempts USING PRIMARY KEY \(job_id=\?\)[\s\S]*SEARCH a USING PRIMARY KEY \(job_id=\?\)/);
    const list = planOf(db, ATTEMPTS_SQL.listAttempts, 1);
    expect(list).toMatch(/SEARCH job_attempts USING PRIMARY KEY \(job_id=\?\)/);
    // A completed run is kept in the job's row: read by its primary key.
    const completed = planOf(db, ATTEMPTS_SQL.completedRun, 1);
    expect(completed).toMatch(/SEARCH jobs USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    for (const plan of [record, cut, list, completed]) expect(plan).not.toMatch(/SCAN job_attempts|SCAN jobs|TEMP B-TREE/);
    db.close();
  });
});
