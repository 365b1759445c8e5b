import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Removes a SQLite database file and its WAL, shared-memory and journal files. */
export function removeSqliteFile(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
}

/** The path of a SQLite file `name` in `dir` (made if missing), with any earlier file of that name removed. */
export function freshSqliteFile(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  removeSqliteFile(file);
  return file;
}
