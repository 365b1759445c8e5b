import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateSqlite } from './sqlite-migrations.js';
import { CLAIM_SQL } from './claim.js';
import { FINISH_SQL } from './finish.js';
import { CANCEL_SQL } from './cancel.js';
import { GATE_SQL } from './gates.js';
import { INSERT_KEYED_SQL } from './insert-keyed.js';
import { RETRY_SQL } from './retry.js';

const PARAMS = { service: '@plan', key: 'k7', id: 1, ids: '[1,2]', now: 10, statuses: '["error"]', task: null };

/** Values for the parameters the statement has: those of PARAMS, null for the rest. */
function paramsOf(text: string): unknown[] {
  const names = [...new Set(text.match(/@\w+/g)?.map((name) => name.slice(1)))];
  const positional = (text.match(/\?/g) ?? []).map(() => null);
  const values = (PARAMS as Record<string, unknown>);
  return names.length > 0 ? [Object.fromEntries(names.map((name) => [name, values[name] ?? null])), ...positional] : positional;
}

function planOf(db: Database.Database, text: string): string {
  return (db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...paramsOf(text)) as { detail: string }[]).map((row) => row.detail).join('\n');
}

/** Whether the statement's program opens the index for writing (its bytecode names the root page). */
function writesIndex(db: Database.Database, text: string, index: string): boolean {
  const { rootpage } = db.prepare(`SELECT rootpage FROM sqlite_master WHERE type = 'index' AND name = ?`).get(index) as { rootpage: number };
  const program = db.prepare(`EXPLAIN ${text}`).all(...paramsOf(text)) as { opcode: string; p2: number }[];
  return program.some((step) => step.opcode === 'OpenWrite' && step.p2 === rootpage);
}

describe('SQLite query plans of keys', () => {
  const db = new Database(':memory:');
  migrateSqlite(db, ':memory:');
  const insert = db.prepare(
    `INSERT INTO jobs (service, task, input, status, max_attempts, created, run_at, started, completed, job_key, held_key, key_scope)
     VALUES ('@plan', 'echo', 'null', ?, 3, 0, 0, ?, ?, ?, ?, 'waiting')`,
  );
  db.transaction(() => {
    // Mostly finished jobs whose keys were let go, as a store that has run for a while holds.
    for (let index = 0; index < 20_000; index += 1) {
      const finished = index % 10 !== 0;
      insert.run(finished ? 'completed' : 'queued', finished ? 1 : null, finished ? 2 : null, `k${index}`, finished ? null : `k${index}`);
    }
  })();
  db.exec('ANALYZE');

  it('finds the one job that can hold a key, and the jobs a retry takes keys from, through the unique index', () => {
    for (const text of [INSERT_KEYED_SQL.lastKeyTaker, RETRY_SQL.retryKeyHolder, RETRY_SQL.letGoForRetry]) {
      expect(planOf(db, text)).toMatch(/SEARCH (jobs|k) USING INDEX jobs_held_key \(service=\? AND held_key=\?\)/);
    }
    expect(planOf(db, RETRY_SQL.retryCandidates)).toMatch(/SEARCH k USING INDEX jobs_held_key \(service=\? AND held_key=\?\)/);
    expect(planOf(db, RETRY_SQL.retryCandidates)).not.toMatch(/SCAN k\b/);
    expect(planOf(db, RETRY_SQL.retryCandidates)).toMatch(/SEARCH r USING INDEX jobs_service_status \(service=\? AND status=\?\)/);
  });

  it('claims, finishes and cancels without writing the key index', () => {
    const statements = [CLAIM_SQL.leaseIds, CLAIM_SQL.claimOne, GATE_SQL.claimLimited, FINISH_SQL.completed, FINISH_SQL.completedMany,
      FINISH_SQL.failed, FINISH_SQL.retry, FINISH_SQL.cancelled, FINISH_SQL.snoozed, FINISH_SQL.released, FINISH_SQL.recover,
      CANCEL_SQL.cancel, CANCEL_SQL.cancelWaiting, CANCEL_SQL.flagRunning];
    for (const text of statements) expect(writesIndex(db, text, 'jobs_held_key'), text).toBe(false);
    // The check itself: a statement that sets the key does write it.
    expect(writesIndex(db, INSERT_KEYED_SQL.insertKeyed, 'jobs_held_key')).toBe(true);
    expect(writesIndex(db, RETRY_SQL.retryIds, 'jobs_held_key')).toBe(true);
  });
});
