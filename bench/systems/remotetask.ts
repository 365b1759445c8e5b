import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createKernel, createLogger, definePlugin, SimpleTask, type Kernel, type TaskService } from '../../core/index.js';
import { freshDatabase, withClient } from '../lib/pg-admin.js';
import type { QueueSystem } from '../lib/system.js';
import { probe } from '../lib/util.js';

export const BENCH_SERVICE = '@Bench';

/** The no-op task every remotetask workload runs. */
export const benchPlugin = definePlugin({
  name: 'bench',
  version: '1.0.0',
  register(ctx) {
    ctx.addTask(
      'noop',
      new SimpleTask(() => {
        probe.ran();
        return null;
      }, { description: 'Does nothing; the benchmark counts its runs.' }),
    );
  },
});

export type RemotetaskBackend = { kind: 'postgres'; database: string } | { kind: 'sqlite'; dir: string };

/**
 * remotetask from source, in this process, through its public API: `service.add()` and the
 * service's processor (`processor: 'multi'`, `maxConcurrency` = the workload's concurrency).
 */
export class RemotetaskSystem implements QueueSystem {
  readonly label: string;
  readonly backend: 'postgres' | 'sqlite';
  #kernel?: Kernel;
  #service?: TaskService;
  #url = '';
  #file = '';
  #concurrency = 1;

  constructor(private readonly where: RemotetaskBackend) {
    this.backend = where.kind;
    this.label = `remotetask (${where.kind === 'postgres' ? 'PostgreSQL' : 'SQLite'})`;
  }

  get kernel(): Kernel {
    if (!this.#kernel) throw new Error('not open');
    return this.#kernel;
  }

  get service(): TaskService {
    if (!this.#service) throw new Error('not open');
    return this.#service;
  }

  async open(concurrency = 1): Promise<void> {
    this.#concurrency = concurrency;
    if (this.where.kind === 'postgres') {
      this.#url = await freshDatabase(this.where.database);
    } else {
      mkdirSync(this.where.dir, { recursive: true });
      this.#file = join(this.where.dir, 'remotetask.db');
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(this.#file + suffix, { force: true });
    }
    await this.#boot();
  }

  async #boot(): Promise<void> {
    this.#kernel = await createKernel(
      {
        store: this.where.kind === 'postgres' ? { kind: 'postgres', url: this.#url } : { kind: 'sqlite', path: this.#file },
        plugins: [benchPlugin],
        sites: { '': { services: { Bench: { processor: 'multi', maxConcurrency: this.#concurrency } } } },
        autostart: [],
      },
      { autostart: false, logger: createLogger({ level: 'error' }) },
    );
    this.#service = this.#kernel.getService(BENCH_SERVICE);
  }

  async addOne(data: unknown): Promise<void> {
    await this.service.add('noop', data);
  }

  /** The service API adds one job per call: a batch is that many add() calls at once. */
  async addBatch(data: unknown[]): Promise<void> {
    await Promise.all(data.map((d) => this.service.add('noop', d)));
  }

  /** The store's bulk insert (what an `addMany` would use): one statement for the whole batch. */
  async insertMany(data: unknown[]): Promise<void> {
    const created = Date.now();
    await this.kernel.store.insertMany(
      data.map((input) => ({
        service: BENCH_SERVICE, task: 'noop', input, status: 'queued' as const, maxAttempts: 3, created, runAt: 0, schedule: null,
      })),
    );
  }

  async startWorkers(): Promise<void> {
    this.service.startProcessing();
  }

  async stopWorkers(): Promise<void> {
    await this.#service?.stopProcessing();
  }

  async anyUnfinished(): Promise<boolean> {
    const page = await this.kernel.store.list({ service: BENCH_SERVICE, status: ['queued', 'processing'], limit: 1 });
    return page.jobs.length > 0;
  }

  async prefillFinished(count: number): Promise<void> {
    const created = Date.now() - 86_400_000;
    if (this.where.kind === 'postgres') {
      await withClient(this.#url, async (client) => {
        await client.query(
          `INSERT INTO remotetask.jobs (service, task, input, status, result, attempts, max_attempts, created, started, completed, run_at)
           SELECT $1, 'noop', jsonb_build_object('n', g), 'completed', NULL, 1, 3, $2::bigint + g, $2::bigint + g, $2::bigint + g + 1, 0
           FROM generate_series(1, $3) AS g`,
          [BENCH_SERVICE, created, count],
        );
        // What the store's finish statement would have recorded: the service's completed count.
        await client.query('INSERT INTO remotetask.completed_counts (service, delta) VALUES ($1, $2)', [BENCH_SERVICE, count]);
        await client.query('VACUUM ANALYZE remotetask.jobs');
        // The bulk load's dirty pages written now, not by a checkpoint during the measurement.
        await client.query('CHECKPOINT');
      });
      return;
    }
    // The SQLite file is held exclusively by the open store: close, fill, reopen.
    await this.#kernel?.close();
    const db = new Database(this.#file);
    db.pragma('journal_mode = WAL');
    db.prepare(
      `WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ?)
       INSERT INTO jobs (service, task, input, status, result, attempts, max_attempts, created, started, completed, run_at)
       SELECT ?, 'noop', json_object('n', n), 'completed', NULL, 1, 3, ? + n, ? + n, ? + n + 1, 0 FROM g`,
    ).run(count, BENCH_SERVICE, created, created, created);
    db.exec('ANALYZE');
    db.close();
    await this.#boot();
  }

  async close(): Promise<void> {
    await this.#kernel?.close();
    this.#kernel = undefined;
    this.#service = undefined;
  }
}
