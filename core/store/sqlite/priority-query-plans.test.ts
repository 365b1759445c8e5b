import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateSqlite } from './sqlite-migrations.js';
import { CLAIM_OF_TASKS_SQL } from './claim-of-tasks.js';
import { WAITING_TASKS_SQL } from './waiting-tasks.js';

/** EXPLAIN QUERY PLAN of a statement, one line per step. */
function planOf(db: Database.Database, text: string): string {
  const params = { service: '@plan', task: 'echo', now: 10, limit: 500 };
  const used = Object.fromEntries(Object.entries(params).filter(([name]) => text.includes(`@${name}`)));
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(used) as { detail: string }[];
  return rows.map((row) => row.detail).join('\n');
}

describe('SQLite query plans with priorities', () => {
  it('claims in priority order from the task index without sorting, and finds the tasks and the next due job by probes of it', () => {
    const db = new Database(':memory:');
    migrateSqlite(db, ':memory:');
    const insert = db.prepare(
      `INSERT INTO jobs (service, task, input, status, max_attempts, created, run_at, priority) VALUES ('@plan', ?, 'null', 'queued', 3, 0, 0, ?)`,
    );
    db.transaction(() => {
      for (let index = 0; index < 20_000; index += 1) insert.run(index % 7 === 0 ? 'upper' : 'echo', index % 5);
    })();
    db.exec('ANALYZE');
    // One claim index: the (service, priority, run_at, id) one is gone (migration 16).
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'jobs_due'").all()).toEqual([]);
    const claim = planOf(db, CLAIM_OF_TASKS_SQL.dueOfTask);
    expect(claim).toMatch(/SEARCH jobs USING INDEX jobs_task_due \(service=\? AND task=\?\)/);
    expect(claim).not.toMatch(/TEMP B-TREE|SCAN jobs/);
    // The tasks with waiting jobs: one probe per task, not a walk over the jobs.
    const tasks = planOf(db, WAITING_TASKS_SQL.waitingTasks);
    expect(tasks).toMatch(/SEARCH jobs USING (COVERING )?INDEX jobs_task_due \(service=\? AND task>\?\)/);
    expect(tasks).not.toMatch(/TEMP B-TREE|SCAN jobs\b/);
    expect(db.prepare(WAITING_TASKS_SQL.waitingTasks).pluck().all({ service: '@plan' })).toEqual(['echo', 'upper']);
    for (const text of [WAITING_TASKS_SQL.nextRunAtOfTask, WAITING_TASKS_SQL.hasWaitingOfTask]) {
      const plan = planOf(db, text);
      expect(plan).toMatch(/SEARCH jobs USING (COVERING )?INDEX jobs_task_due \(service=\? AND task=\? AND priority=\?\)/);
      expect(plan).not.toMatch(/TEMP B-TREE|SCAN jobs\b/);
    }
    db.close();
  });
});
