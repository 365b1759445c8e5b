import Database from 'better-sqlite3';
import { createKernel, createLogger, definePlugin, SimpleTask, type Kernel, type ServiceOptions, type TaskService } from '../../core/index.js';
import { freshDatabase, settleBulkLoad, withClient } from '../lib/pg-admin.js';
import { freshSqliteFile } from '../lib/sqlite-file.js';
import type { OpenOptions, QueueSystem } from '../lib/system.js';
import { probe } from '../lib/util.js';

export const BENCH_SERVICE = '@Bench';

/** The task every remotetask workload runs: a no-op (synchronous, returns null) or, when the probe says so, a wait. */
export const benchPlugin = definePlugin({
  name: 'bench',
  version: '1.0.0',
  register(ctx) {
    ctx.addTask(
      'noop',
      new SimpleTask(() => {
        const wait = probe.ran();
        return wait ? wait.then(() => null) : null;
      }, { description: 'Does nothing (or waits, for the I/O-bound workload); the benchmark counts its runs.' }),
    );
  },
});

export type RemotetaskBackend = { kind: 'postgres'; database: string } | { kind: 'sqlite'; dir: string };

/** How a remotetask row of the `features` workload uses the feature. */
export interface RemotetaskFeatureUse {
  /** Every job added with a key of its own. */
  keys?: boolean;
  /** Every job added with one of five priorities, in turn. */
  priorities?: boolean;
  /** A retention sweep of every finished job runs from the start of processing (else retention is off). */
  sweep?: boolean;
}

/**
 * The site config of `count` services (`@Bench` alone, or `@Bench0` … `@Bench<count-1>`), each with
 * its own processor. Retention is off unless the workload measures it: the default's interval sweep
 * would otherwise remove prefilled finished jobs in the middle of another workload.
 */
export function benchServices(count: number, maxConcurrency: number, sweep = false): Record<string, Partial<ServiceOptions>> {
  const retention: ServiceOptions['retention'] = sweep ? { completed: { maxAge: '1h' }, error: false, cancelled: false } : false;
  const options = { processor: 'multi' as const, maxConcurrency, retention };
  if (count <= 1) return { Bench: options };
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`Bench${i}`, options]));
}

/**
 * remotetask from source, in this process, through its public API: `service.add()` and the
 * service's processor (`processor: 'multi'`, `maxConcurrency` = the workload's concurrency).
 * With `services` > 1, that many services share the store, each with its own processor at that
 * concurrency, and jobs are added to them round robin.
 */
export class RemotetaskSystem implements QueueSystem {
  readonly label: string;
  readonly backend: 'postgres' | 'sqlite';
  #kernel?: Kernel;
  #services: TaskService[] = [];
  #next = 0;
  #url = '';
  #file = '';
  #concurrency = 1;
  #serviceCount = 1;
  #added = 0;
  #sweep?: Promise<unknown>;
  #swept = 0;

  constructor(
    private readonly where: RemotetaskBackend,
    private readonly use: RemotetaskFeatureUse = {},
  ) {
    this.backend = where.kind;
    this.label = `remotetask (${where.kind === 'postgres' ? 'PostgreSQL' : 'SQLite'})`;
  }

  get kernel(): Kernel {
    if (!this.#kernel) throw new Error('not open');
    return this.#kernel;
  }

  get url(): string {
    return this.#url;
  }

  /** The service the next job goes to (round robin). */
  get #service(): TaskService {
    if (this.#services.length === 0) throw new Error('not open');
    return this.#services[this.#next++ % this.#services.length];
  }

  async open({ concurrency, services = 1 }: OpenOptions): Promise<void> {
    this.#concurrency = concurrency;
    this.#serviceCount = services;
    if (this.where.kind === 'postgres') {
      this.#url = await freshDatabase(this.where.database);
    } else {
      this.#file = freshSqliteFile(this.where.dir, 'remotetask.db');
    }
    await this.#boot();
  }

  async #boot(): Promise<void> {
    const services = benchServices(this.#serviceCount, this.#concurrency, this.use.sweep);
    this.#kernel = await createKernel(
      {
        store: this.where.kind === 'postgres' ? { kind: 'postgres', url: this.#url } : { kind: 'sqlite', path: this.#file },
        plugins: [benchPlugin],
        sites: { '': { services } },
        autostart: [],
      },
      { autostart: false, logger: createLogger({ level: 'error' }) },
    );
    this.#services = Object.keys(services).map((name) => this.#kernel!.getService(`@${name}`));
    this.#next = 0;
  }

  async addOne(data: unknown): Promise<void> {
    await this.#service.add('noop', data, this.#addOptions());
  }

  /** A batch is one addMany() (one store write); with keys or priorities, which differ per job, that many add() calls at once. */
  async addBatch(data: unknown[]): Promise<void> {
    if (!this.use.keys && !this.use.priorities) {
      // Round robin over the services, job by job, as add() would: one addMany per service.
      const shares = new Map<TaskService, unknown[]>();
      for (const d of data) {
        const service = this.#service;
        const share = shares.get(service);
        if (share) share.push(d);
        else shares.set(service, [d]);
      }
      await Promise.all([...shares].map(([service, inputs]) => service.addMany('noop', inputs)));
      return;
    }
    await Promise.all(data.map((d) => this.#service.add('noop', d, this.#addOptions())));
  }

  /** Keys: a key of its own (every add creates a job); priorities: 0 … 4 in turn. */
  #addOptions(): { key?: string; priority?: number } {
    const n = this.#added++;
    return {
      ...(this.use.keys ? { key: `job-${n}` } : {}),
      ...(this.use.priorities ? { priority: n % 5 } : {}),
    };
  }

  async startWorkers(): Promise<void> {
    for (const service of this.#services) service.startProcessing();
    if (this.use.sweep) {
      const retention = this.kernel.retention;
      const stop = retention.onRemoved(({ count }) => (this.#swept += count));
      this.#sweep = retention.sweep().finally(stop);
    }
  }

  async stopWorkers(): Promise<void> {
    await Promise.all(this.#services.map((service) => service.stopProcessing()));
    if (this.#sweep) {
      // What the sweep got through while the jobs ran; closing the kernel ends it after its batch.
      process.stderr.write(`    the retention sweep removed ${this.#swept.toLocaleString('en-US')} finished jobs by then\n`);
      this.#sweep.catch(() => undefined);
      this.#sweep = undefined;
      this.#swept = 0;
    }
  }

  /** Per service, as a user's query would be: the (service, status) index answers it; a store-wide one would scan every prefilled job. */
  async anyUnfinished(): Promise<boolean> {
    for (const service of this.#services) {
      const page = await this.kernel.store.list({ service: service.address, status: ['queued', 'processing'], limit: 1 });
      if (page.jobs.length > 0) return true;
    }
    return false;
  }

  async prefillFinished(count: number): Promise<void> {
    await this.#bulk(count, 'completed');
  }

  async prefillQueued(count: number): Promise<void> {
    await this.#bulk(count, 'queued');
  }

  /** Jobs of `@Bench` straight into the jobs table, as the store would have left them (finished: with the completed count). */
  async #bulk(count: number, status: 'completed' | 'queued'): Promise<void> {
    const created = Date.now() - 86_400_000;
    const done = status === 'completed';
    // queued: attempts 0 and no started/completed times.
    const times = done ? ['1', '$2::bigint + g', '$2::bigint + g + 1'] : ['0', 'NULL', 'NULL'];
    if (this.where.kind === 'postgres') {
      await withClient(this.#url, async (client) => {
        await client.query(
          `INSERT INTO remotetask.jobs (service, task, input, status, result, attempts, max_attempts, created, started, completed, run_at)
           SELECT $1, 'noop', jsonb_build_object('n', g), '${status}', NULL, ${times[0]}, 3, $2::bigint + g, ${times[1]}, ${times[2]}, 0
           FROM generate_series(1, $3) AS g`,
          [BENCH_SERVICE, created, count],
        );
        // What the store's finish statement would have recorded: the service's completed count.
        if (done) await client.query('INSERT INTO remotetask.completed_counts (service, delta) VALUES ($1, $2)', [BENCH_SERVICE, count]);
        await settleBulkLoad(client, 'remotetask.jobs');
      });
      return;
    }
    // The SQLite file is held exclusively by the open store: close, fill, reopen.
    await this.#kernel?.close();
    const db = new Database(this.#file);
    db.pragma('journal_mode = WAL');
    const sqliteTimes = times.map((t) => t.replaceAll('$2::bigint + g', '? + n'));
    const params = [count, BENCH_SERVICE, created, ...(done ? [created, created] : [])];
    db.prepare(
      `WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ?)
       INSERT INTO jobs (service, task, input, status, result, attempts, max_attempts, created, started, completed, run_at)
       SELECT ?, 'noop', json_object('n', n), '${status}', NULL, ${sqliteTimes[0]}, 3, ? + n, ${sqliteTimes[1]}, ${sqliteTimes[2]}, 0 FROM g`,
    ).run(...params);
    // What the store's finish would have recorded: the service's completed count.
    if (done) {
      db.prepare('INSERT INTO completed_counts (service, count) VALUES (?, ?) ON CONFLICT (service) DO UPDATE SET count = count + excluded.count')
        .run(BENCH_SERVICE, count);
    }
    db.exec('ANALYZE');
    db.close();
    await this.#boot();
  }

  async close(): Promise<void> {
    await this.#kernel?.close();
    this.#kernel = undefined;
    this.#services = [];
  }
}
