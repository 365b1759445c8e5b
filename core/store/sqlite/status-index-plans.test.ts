import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { JobQuery } from '../job-store.js';
import { migrateSqlite } from './sqlite-migrations.js';
import { JOBS_SQL } from './jobs-sql.js';
import { SqliteListing } from './list.js';

describe('SQLite plans without running and completed jobs in the status index', () => {
  const db = new Database(':memory:');
  migrateSqlite(db, ':memory:');
  const insert = db.prepare(
    `INSERT INTO jobs (service, task, input, status, max_attempts, created, run_at, locked_by, locked_until, completed)
     VALUES (?, ?, 'null', ?, 3, 0, 0, ?, ?, ?)`,
  );
  db.transaction(() => {
    // Mostly completed jobs, a few waiting, failed and running ones, in two services.
    for (let index = 0; index < 20_000; index += 1) {
      const service = index % 2 === 0 ? '@plan' : '@other';
      const status = index % 100 === 0 ? 'queued' : index % 100 === 1 ? 'error' : index % 100 === 2 ? 'processing' : 'completed';
      const leased = status === 'processing';
      const task = index % 3 === 0 ? 'echo' : index % 3 === 1 ? 'resize' : 'mail';
      insert.run(service, task, status, leased ? 'w' : null, leased ? 1 : null, status === 'completed' || status === 'error' ? 5 : null);
    }
  })();
  db.exec('ANALYZE');

  /** The plan of the statement a listing runs for the query (the last one it runs: a loose scan of the tasks may come first). */
  function listPlan(query: JobQuery): string {
    let last: { text: string; params: unknown } | undefined;
    const listing = new SqliteListing(new Proxy(db, {
      get: (target, name) => (name === 'prepare'
        ? (text: string) => {
          const statement = target.prepare(text);
          const all = statement.all.bind(statement);
          return Object.assign(statement, { all: (params: unknown) => ((last = { text, params }), all(params)) });
        }
        : Reflect.get(target, name, target)),
    }));
    const page = listing.list(query);
    expect(page.jobs.length).toBeGreaterThan(0);
    return (db.prepare(`EXPLAIN QUERY PLAN ${last!.text}`).all(last!.params) as { detail: string }[])
      .map((row) => row.detail).join('\n');
  }

  /** How many branches of the plan read the task index for one task in id order. */
  const taskByTask = (plan: string) => plan.match(/SEARCH jobs USING INDEX jobs_service_task \(service=\? AND task=\?/g)?.length ?? 0;

  it('lists completed jobs in id order from the task index task by task, running ones from the lease index, without sorting either', () => {
    const completed = listPlan({ service: '@plan', status: ['completed'], sort: '-id' });
    expect(taskByTask(completed)).toBe(3);
    // No walk of the service's jobs: what is sorted is each task's page of at most 51 rows.
    expect(completed).not.toMatch(/SCAN jobs/);
    expect(listPlan({ service: '@plan', status: ['processing'] })).toMatch(/jobs_leased/);
    const mixed = listPlan({ service: '@plan', status: ['queued', 'processing', 'completed', 'error'], sort: '-id' });
    expect(mixed).toMatch(/jobs_service_status \(service=\? AND status=\?\)/);
    expect(mixed).toMatch(/jobs_leased/);
    expect(taskByTask(mixed)).toBe(3);
    const every = listPlan({ service: '@plan' });
    expect(taskByTask(every)).toBe(3);
    expect(every).not.toMatch(/SCAN jobs/);
  });

  it('has no index on jobs whose columns lead another one: every add would write an entry that serves nothing the other does not', () => {
    const indexes = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs' AND sql IS NOT NULL`).pluck().all() as string[])
      .map((name) => ({
        name,
        partial: /\bWHERE\b/i.test((db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').pluck().get(name) as string)),
        columns: (db.prepare(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`).pluck().all(name) as string[]).join(','),
      }));
    const whole = indexes.filter((index) => !index.partial);
    const led = whole.filter((index) => whole.some((other) => other !== index && other.columns.startsWith(`${index.columns},`)));
    expect(led.map((index) => index.name)).toEqual([]);
    expect(whole.map((index) => index.name)).toContain('jobs_service_task');
  });

  it('lists by end time from the finished-jobs index: no page sorts every finished job', () => {
    for (const query of [{ service: '@plan', sort: '-completed' }, { service: '@plan', sort: 'completed', status: ['completed', 'error'] }] as JobQuery[]) {
      const plan = listPlan(query);
      expect(plan).toMatch(/SEARCH jobs USING INDEX jobs_finished \(service=\? AND status=\?/);
      expect(plan).not.toMatch(/SCAN jobs(?! USING)|jobs_service \(service=\?\)|jobs_service_task/);
    }
  });

  it('counts without reading the completed jobs: running ones from the lease index, completed ones from their count', () => {
    for (const [text, params] of [[JOBS_SQL.countService, { service: '@plan' }], [JOBS_SQL.countAll, {}]] as const) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(params) as { detail: string }[]).map((row) => row.detail).join('\n');
      expect(plan).toMatch(/jobs_service_status/);
      expect(plan).toMatch(/jobs_leased/);
      expect(plan).toMatch(/completed_counts/);
      // No walk of the table itself: every read of jobs goes through an index.
      expect(plan).not.toMatch(/SCAN jobs(?! USING)/);
      expect(plan).not.toMatch(/jobs_service \(|jobs_service_task|jobs_finished/);
    }
  });
});
