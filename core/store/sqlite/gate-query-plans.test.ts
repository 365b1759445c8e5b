import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { limitGate, queueGate } from '../gate-rules.js';
import { registerFlowFunctions } from './flows-schema.js';
import { migrateSqlite } from './sqlite-migrations.js';
import { GATE_SQL } from './gates.js';

describe('SQLite query plans of limits and serial queues', () => {
  it('reads each gate through its kind\'s own index, and a limited job has no entry in the queue index', () => {
    const db = new Database(':memory:');
    migrateSqlite(db, ':memory:');
    registerFlowFunctions(db, () => undefined, () => undefined);
    const insert = db.prepare(
      `INSERT INTO jobs (service, task, input, status, max_attempts, created, run_at, gate) VALUES ('@plan', 'echo', 'null', 'queued', 3, 0, 0, ?)`,
    );
    db.transaction(() => {
      for (let index = 0; index < 5_000; index += 1) insert.run(index % 2 === 0 ? limitGate('convert', index % 50) : queueGate(`q${index % 20}`));
      for (let index = 0; index < 5_000; index += 1) insert.run(null);
    })();
    db.exec('ANALYZE');
    const plan = (sql: string, params: object) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((row) => row.detail).join('\n');
    const gates = plan(GATE_SQL.gates, { service: '@plan' });
    expect(gates).toMatch(/SEARCH \w+ USING INDEX jobs_gate_waiting \(service=\? AND gate>\?\)/);
    expect(gates).toMatch(/SEARCH r USING INDEX jobs_gate_running \(service=\? AND gate=\?\)/);
    expect(gates).toMatch(/SEARCH q USING INDEX jobs_gate_queue \(service=\? AND gate=\?\)/);
    expect(gates).not.toMatch(/SCAN jobs|SCAN \w+ USING/);
    // Only the 2,500 queued jobs have an entry in the queue index; neither limited nor plain jobs do.
    const queueEntries = db.prepare(`SELECT count(*) AS n FROM jobs INDEXED BY jobs_gate_queue
      WHERE gate IS NOT NULL AND status IN ('queued', 'delayed', 'processing') AND substr(gate, 1, 9) = '["queue",'`).get() as { n: number };
    expect(queueEntries.n).toBe(2_500);
    db.close();
  });
});
