import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateSqlite } from './sqlite-migrations.js';
import { CLAIM_OF_TASKS_SQL } from './claim-of-tasks.js';

describe('SQLite query plan of a claim limited to some tasks', () => {
  it('reads each task\'s due jobs from the task index in claim order, with no sort and no job of another task', () => {
    const db = new Database(':memory:');
    migrateSqlite(db, ':memory:');
    const insert = db.prepare(
      `INSERT INTO jobs (service, task, input, status, max_attempts, created, run_at, priority) VALUES ('@plan', ?, 'null', 'queued', 3, 0, 0, ?)`,
    );
    db.transaction(() => {
      // Most jobs are of a task the claimer does not serve, and ahead of its own in the queue.
      for (let index = 0; index < 20_000; index += 1) insert.run(index % 100 === 0 ? 'upper' : 'echo', index % 3);
    })();
    db.exec('ANALYZE');
    const params = { service: '@plan', task: 'upper', now: 10, limit: 500 };
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${CLAIM_OF_TASKS_SQL.dueOfTask}`).all(params) as { detail: string }[])
      .map((row) => row.detail).join('\n');
    expect(plan).toMatch(/SEARCH jobs USING INDEX jobs_task_due \(service=\? AND task=\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE|SCAN jobs/);
    // The task's 200 due jobs, and none of the 19,800 of the other task.
    const statement = db.prepare(CLAIM_OF_TASKS_SQL.dueOfTask);
    expect(statement.all(params)).toHaveLength(200);
    db.close();
  });
});
