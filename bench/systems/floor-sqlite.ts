import Database from 'better-sqlite3';
import { FloorSystem, type FloorJob, type FloorStatements } from '../lib/floor-loop.js';
import { freshSqliteFile, removeSqliteFile } from '../lib/sqlite-file.js';
import type { OpenOptions } from '../lib/system.js';

/**
 * The floor on SQLite: a minimal queue in raw SQL through the same driver (better-sqlite3) with
 * remotetask's durability settings (WAL, `synchronous = NORMAL`, the file held exclusively). A
 * claim is one `UPDATE … RETURNING` of up to a batch of the oldest queued jobs, a completion one
 * `UPDATE` of a batch of ids: one transaction per batch. Its throughput is the SQLite ceiling.
 */
export class FloorSqliteSystem extends FloorSystem {
  readonly backend = 'sqlite' as const;
  readonly label = 'floor: raw SQL loop (SQLite)';
  #db?: Database.Database;
  #file = '';

  constructor(private readonly dir: string) {
    super();
  }

  async open({ concurrency }: OpenOptions): Promise<void> {
    this.concurrency = concurrency;
    this.#file = freshSqliteFile(this.dir, 'floor.db');
    const db = new Database(this.#file);
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`
      CREATE TABLE floor_jobs (id INTEGER PRIMARY KEY, payload TEXT NOT NULL, status INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX floor_jobs_queued ON floor_jobs (id) WHERE status = 0;`);
    this.#db = db;
  }

  async addOne(data: unknown): Promise<void> {
    this.#db!.prepare('INSERT INTO floor_jobs (payload) VALUES (?)').run(JSON.stringify(data));
  }

  async addBatch(data: unknown[]): Promise<void> {
    this.#db!.prepare('INSERT INTO floor_jobs (payload) SELECT value FROM json_each(?)').run(JSON.stringify(data.map((d) => JSON.stringify(d))));
  }

  protected statements(): FloorStatements {
    const claim = this.#db!.prepare(
      `UPDATE floor_jobs SET status = 1
       WHERE id IN (SELECT id FROM floor_jobs WHERE status = 0 ORDER BY id LIMIT ?)
       RETURNING id, payload`,
    );
    const complete = this.#db!.prepare('UPDATE floor_jobs SET status = 2 WHERE id IN (SELECT value FROM json_each(?))');
    return {
      claim: async (limit) => (claim.all(limit) as { id: number; payload: string }[]).map((r): FloorJob => ({ id: r.id, payload: JSON.parse(r.payload) })),
      complete: async (ids) => void complete.run(JSON.stringify(ids)),
    };
  }

  async anyUnfinished(): Promise<boolean> {
    return (this.#db!.prepare('SELECT EXISTS (SELECT 1 FROM floor_jobs WHERE status < 2) AS any').get() as { any: number }).any === 1;
  }

  protected async bulk(count: number, status: 0 | 2): Promise<void> {
    this.#db!.prepare(
      `WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ?)
       INSERT INTO floor_jobs (payload, status) SELECT json_object('n', n), ? FROM g`,
    ).run(count, status);
    this.#db!.exec('ANALYZE');
    this.#db!.pragma('wal_checkpoint(TRUNCATE)');
  }

  async close(): Promise<void> {
    await this.stopWorkers();
    this.#db?.close();
    this.#db = undefined;
    removeSqliteFile(this.#file);
  }
}
