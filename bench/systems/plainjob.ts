import Database from 'better-sqlite3';
import { better, defineQueue, defineWorker, JobStatus } from 'plainjob';
import { freshSqliteFile } from '../lib/sqlite-file.js';
import type { OpenOptions, QueueSystem } from '../lib/system.js';
import { probe } from '../lib/util.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * plainjob on better-sqlite3 (WAL, synchronous=NORMAL: it sets both itself, as remotetask does).
 * A worker runs one job at a time: concurrency N is N workers on the queue, as its README shows.
 */
export class PlainjobSystem implements QueueSystem {
  readonly backend = 'sqlite' as const;
  readonly label = 'plainjob (SQLite)';
  #db?: Database.Database;
  #queue?: ReturnType<typeof defineQueue>;
  #workers: ReturnType<typeof defineWorker>[] = [];
  #running: Promise<void>[] = [];
  #concurrency = 1;
  #file = '';

  constructor(private readonly dir: string) {}

  async open({ concurrency }: OpenOptions): Promise<void> {
    this.#concurrency = concurrency;
    this.#file = freshSqliteFile(this.dir, 'plainjob.db');
    this.#db = new Database(this.#file);
    this.#queue = defineQueue({ connection: better(this.#db), logger: silent });
  }

  async addOne(data: unknown): Promise<void> {
    this.#queue!.add('noop', data);
  }

  async addBatch(data: unknown[]): Promise<void> {
    this.#queue!.addMany('noop', data);
  }

  async startWorkers(): Promise<void> {
    for (let i = 0; i < this.#concurrency; i++) {
      const worker = defineWorker(
        'noop',
        async () => {
          await probe.ran();
        },
        // It polls (no wake-up); 10 ms instead of its 1 s default so that its latency is not all sleep.
        { queue: this.#queue!, logger: silent, pollIntervall: 10 },
      );
      this.#workers.push(worker);
      this.#running.push(worker.start());
    }
  }

  async stopWorkers(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.stop()));
    await Promise.allSettled(this.#running);
    this.#workers = [];
    this.#running = [];
  }

  async anyUnfinished(): Promise<boolean> {
    const q = this.#queue!;
    return q.countJobs({ type: 'noop', status: JobStatus.Pending }) + q.countJobs({ type: 'noop', status: JobStatus.Processing }) > 0;
  }

  async prefillFinished(count: number): Promise<void> {
    this.#bulk(count, JobStatus.Done);
  }

  async prefillQueued(count: number): Promise<void> {
    this.#bulk(count, JobStatus.Pending);
  }

  #bulk(count: number, status: JobStatus): void {
    const created = Date.now() - 86_400_000;
    this.#db!.prepare(
      `WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ?)
       INSERT INTO plainjob_jobs (type, data, status, next_run_at, created_at)
       SELECT 'noop', json_object('n', n), ?, ? + n, ? + n FROM g`,
    ).run(count, status, created, created);
    this.#db!.exec('ANALYZE');
    this.#db!.pragma('wal_checkpoint(TRUNCATE)');
  }

  async close(): Promise<void> {
    await this.stopWorkers();
    this.#queue?.close();
    this.#db?.close();
    this.#queue = undefined;
    this.#db = undefined;
  }
}
