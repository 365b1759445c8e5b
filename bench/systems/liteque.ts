// better-sqlite3 11.3 (what liteque's main user pins): from 11.10 on, better-sqlite3 refuses the
// async function liteque's dequeue passes to its transaction ("Transaction function cannot return a promise").
import Database from 'better-sqlite3-11';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrateDB, Runner, SqliteQueue, type buildDBClient } from 'liteque';
import { freshSqliteFile, removeSqliteFile } from '../lib/sqlite-file.js';
import type { OpenOptions, QueueSystem } from '../lib/system.js';
import { probe } from '../lib/util.js';

const QUEUE = 'noop';

export interface LitequeSettings {
  /** `pollIntervalMs`: how long its runner sleeps when a dequeue found nothing (its README: 1000). */
  pollMs: number;
}

export const LITEQUE_BEST: LitequeSettings = { pollMs: 10 };

/**
 * liteque on better-sqlite3 through drizzle, with `buildDBClient`'s settings (WAL,
 * `synchronous = NORMAL`, a 64 MiB cache) on a connection of better-sqlite3 11.3 that this adapter
 * opens itself, and its migrations; one `Runner` at the workload's concurrency. It deletes a job
 * when the job completes, and has no bulk enqueue.
 */
export class LitequeSystem implements QueueSystem {
  readonly backend = 'sqlite' as const;
  readonly label = 'liteque (SQLite)';
  #sqlite?: Database.Database;
  #db?: ReturnType<typeof buildDBClient>;
  #queue?: SqliteQueue<unknown>;
  #runner?: Runner<unknown>;
  #running?: Promise<void>;
  #concurrency = 1;
  #file = '';

  constructor(
    private readonly dir: string,
    private readonly settings: LitequeSettings = LITEQUE_BEST,
  ) {}

  async open({ concurrency }: OpenOptions): Promise<void> {
    this.#concurrency = concurrency;
    this.#file = freshSqliteFile(this.dir, 'liteque.db');
    const sqlite = new Database(this.#file);
    // What buildDBClient(file, { walEnabled: true }) sets.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('cache_size = -65536');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('temp_store = MEMORY');
    this.#sqlite = sqlite;
    this.#db = drizzle(sqlite) as unknown as ReturnType<typeof buildDBClient>;
    migrateDB(this.#db);
    this.#queue = new SqliteQueue(QUEUE, this.#db, { defaultJobArgs: { numRetries: 2 }, keepFailedJobs: false });
  }

  async addOne(data: unknown): Promise<void> {
    await this.#queue!.enqueue(data);
  }

  async addBatch(data: unknown[]): Promise<void> {
    await Promise.all(data.map((d) => this.#queue!.enqueue(d)));
  }

  async startWorkers(): Promise<void> {
    this.#runner = new Runner(
      this.#queue!,
      {
        run: async () => {
          await probe.ran();
        },
      },
      { concurrency: this.#concurrency, pollIntervalMs: this.settings.pollMs, timeoutSecs: 60 },
    );
    this.#running = this.#runner.run();
  }

  async stopWorkers(): Promise<void> {
    this.#runner?.stop();
    await this.#running;
    this.#runner = undefined;
    this.#running = undefined;
  }

  async anyUnfinished(): Promise<boolean> {
    const s = await this.#queue!.stats();
    return s.pending + s.pending_retry + s.running > 0;
  }

  /** Straight into its tasks table (bulk SQL), as `enqueue` leaves a job. */
  async prefillQueued(count: number): Promise<void> {
    const sqlite = this.#sqlite!;
    sqlite
      .prepare(
        `WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ?)
         INSERT INTO tasks (queue, payload, createdAt, availableAt, status, allocationId, numRunsLeft, maxNumRuns, priority)
         SELECT ?, json_object('n', n), unixepoch(), unixepoch(), 'pending', '', 3, 3, 0 FROM g`,
      )
      .run(count, QUEUE);
    sqlite.exec('ANALYZE');
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
  }

  async close(): Promise<void> {
    await this.stopWorkers();
    this.#sqlite?.close();
    this.#sqlite = undefined;
    this.#db = undefined;
    removeSqliteFile(this.#file);
  }
}
