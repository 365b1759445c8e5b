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
     VALUES (?, 'echo', 'null', ?, 3, 0, 0, ?, ?, ?)`,
  );
  db.transaction(() => {
    // Mostly completed jobs, a few waiting, failed and running ones, in two services.
    for (let index = 0; index < 20_000; index += 1) {
      const service = index % 2 === 0 ? '@plan' : '@other';
      const status = index % 100 === 0 ? 'queued' : index % 100 === 1 ? 'error' : index % 100 === 2 ? 'processing' : 'completed';
      const leased = status === 'processing';
      insert.run(service, status, leased ? 'w' : null, leased ? 1 : null, status === 'completed' || status === 'error' ? 5 : null);
    }
  })();
  db.exec('ANALYZE');

  /** The plan of the statement a listing prepares for the query. */
  function listPlan(query: JobQuery): string {
    const texts: string[] = [];
    const listing = new SqliteListing(new Proxy(db, {
      get: (target, name) => (name === 'prepare' ? (text: string) => (texts.push(text), target.prepare(text)) : Reflect.get(target, name, target)),
    }));
    const page = listing.list(query);
    expect(page.jobs.length).toBeGreaterThan(0);
    return (db.prepare(`EXPLAIN QUERY PLAN ${texts[0]}`).all({ service: query.service, limit: 51 }) as { detail: string }[])
      .map((row) => row.detail).join('\n');
  }

  it('lists completed jobs in id order from the service index, running ones from the lease index, without sorting either', () => {
    const completed = listPlan({ service: '@plan', status: ['completed'], sort: '-id' });
    expect(completed).toMatch(/SEARCH jobs USING INDEX jobs_service \(service=\?\)/);
    expect(completed).not.toMatch(/TEMP B-TREE/);
    expect(listPlan({ service: '@plan', status: ['processing'] })).toMatch(/jobs_leased/);
    const mixed = listPlan({ service: '@plan', status: ['queued', 'processing', 'completed', 'error'], sort: '-id' });
    expect(mixed).toMatch(/jobs_service_status \(service=\? AND status=\?\)/);
    expect(mixed).toMatch(/jobs_leased/);
    expect(mixed).toMatch(/jobs_service \(service=\?\)/);
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
