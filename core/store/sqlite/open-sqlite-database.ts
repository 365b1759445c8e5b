import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { migrateSqlite } from './sqlite-migrations.js';

/**
 * Opens the file (its parent directories made) in EXCLUSIVE locking mode, tuned and migrated; `prepare`
 * runs on it before it is handed over. A file another process holds is refused with a clear error.
 */
export function openSqliteDatabase<T>(path: string, busyTimeoutMs: number, prepare: (db: SqliteDatabase) => T): { db: SqliteDatabase; prepared: T } {
  const inMemory = path === ':memory:' || path === '';
  // Owner-only: the jobs' input and results are nobody else's on this machine (SQLite gives its WAL the file's mode).
  if (!inMemory) mkdirSync(dirname(resolve(path)), { recursive: true, mode: 0o700 });
  if (!inMemory) closeSync(openSync(path, 'a', 0o600));
  let db: SqliteDatabase | undefined;
  try {
    db = new Database(path, { timeout: busyTimeoutMs });
    // EXCLUSIVE before WAL: SQLite then keeps the WAL index in process memory (no -shm file) and
    // holds the file lock from the first access until close.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Checkpoint every 10,000 WAL pages (about 40 MB), not 1,000: a busy queue rewrites the same
    // few pages (the table's and each index's last leaf), copied and synced ten times less often.
    // Durability is unchanged: a commit is in the WAL when it returns.
    db.pragma('wal_autocheckpoint = 10000');
    // Temporary tables and sorts (a listing sorted by a column without an index) spill to a file
    // past the page cache: a server's memory must not grow with the number of jobs it keeps.
    db.pragma('temp_store = DEFAULT');
    // A job cancelled because its parent failed cancels its own children: the trigger of
    // core/store/sqlite/flows-schema.ts fires again for it.
    db.pragma('recursive_triggers = ON');
    migrateSqlite(db, path);
    return { db, prepared: prepare(db) };
  } catch (error) {
    db?.close();
    if (isBusy(error)) {
      throw new Error(
        `the SQLite database ${path} is held by another remotetask process: a SQLite store serves one ` +
          'process only; stop the other process, or use the PostgreSQL store to run many processes',
        { cause: error },
      );
    }
    throw error;
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_'));
}
