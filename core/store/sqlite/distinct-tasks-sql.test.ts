import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { distinctTasksSql } from './distinct-tasks-sql.js';
import { migrateSqlite } from './sqlite-migrations.js';

describe('distinctTasksSql', () => {
  const db = new Database(':memory:');
  migrateSqlite(db, ':memory:');
  const insert = db.prepare(`INSERT INTO jobs (service, task, input, status, max_attempts, created, run_at) VALUES (?, ?, 'null', 'queued', 3, 0, 0)`);
  const names = Array.from({ length: 70 }, (_, index) => `t${String(index).padStart(2, '0')}`);
  db.transaction(() => {
    for (const task of [...names].reverse()) for (let copy = 0; copy < 3; copy++) insert.run('@Many', task);
    insert.run('@Other', 'elsewhere');
  })();
  // Counts the index entries the scan looks at: each probe calls it once for the entry it lands on.
  let probes = 0;
  db.function('probed', () => (probes++, 1));
  const where = 'service = @service AND probed()';

  it("gives the service's tasks once each, in name order, one probe per task", () => {
    probes = 0;
    expect(db.prepare(distinctTasksSql('jobs_service_task', where)).pluck().all({ service: '@Many' })).toEqual(names);
    expect(probes).toBe(names.length);
  });

  it('stops probing once it has the first `limit` tasks', () => {
    probes = 0;
    expect(db.prepare(distinctTasksSql('jobs_service_task', where, 65)).pluck().all({ service: '@Many' })).toEqual(names.slice(0, 65));
    expect(probes).toBeLessThanOrEqual(65);
  });
});
