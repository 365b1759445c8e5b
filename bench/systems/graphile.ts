import { Logger, makeWorkerUtils, run, type Runner, type WorkerUtils } from 'graphile-worker';
import pg from 'pg';
import { freshDatabase, settleBulkLoad, withClient } from '../lib/pg-admin.js';
import type { OpenOptions, QueueSystem } from '../lib/system.js';
import { probe } from '../lib/util.js';

const silent = new Logger(() => () => undefined);

export interface GraphileSettings {
  /** `preset.worker.localQueue.size`: jobs fetched (and locked) per query; -1 (off) by default. */
  localQueueSize?: number;
  /** `preset.worker.completeJobBatchDelay` / `failJobBatchDelay` (ms); -1 (off) by default. */
  completeJobBatchDelay?: number;
}

/** graphile-worker through its library API (`run`, `makeWorkerUtils`), on its own database. */
export class GraphileSystem implements QueueSystem {
  readonly backend = 'postgres' as const;
  readonly label: string;
  #url = '';
  /** One pool of ours for its utils and its runner, ended at close (a dropped database must not crash the run). */
  #pool?: pg.Pool;
  #utils?: WorkerUtils;
  #runner?: Runner;
  #concurrency = 1;

  constructor(private readonly settings: GraphileSettings = {}, label = 'graphile-worker') {
    this.label = label;
  }

  async open({ concurrency }: OpenOptions): Promise<void> {
    this.#concurrency = concurrency;
    this.#url = await freshDatabase('bench_graphile');
    // Its pool must cover the concurrency (it warns otherwise): one connection per job slot, plus LISTEN and utils.
    this.#pool = new pg.Pool({ connectionString: this.#url, max: Math.max(10, concurrency + 4) });
    this.#pool.on('error', () => undefined);
    this.#pool.on('connect', (client) => client.on('error', () => undefined));
    this.#utils = await makeWorkerUtils({ pgPool: this.#pool, logger: silent });
    await this.#utils.migrate();
  }

  async addOne(data: unknown): Promise<void> {
    await this.#utils!.addJob('noop', data as object);
  }

  async addBatch(data: unknown[]): Promise<void> {
    await this.#utils!.addJobs(data.map((payload) => ({ identifier: 'noop', payload: payload as object })));
  }

  async startWorkers(): Promise<void> {
    const { localQueueSize, completeJobBatchDelay } = this.settings;
    this.#runner = await run({
      pgPool: this.#pool,
      concurrency: this.#concurrency,
      noHandleSignals: true,
      pollInterval: 2_000,
      logger: silent,
      taskList: {
        noop: async () => {
          await probe.ran();
        },
      },
      preset: {
        worker: {
          ...(localQueueSize && localQueueSize > 1 ? { localQueue: { size: localQueueSize } } : {}),
          ...(completeJobBatchDelay !== undefined && completeJobBatchDelay >= 0
            ? { completeJobBatchDelay, failJobBatchDelay: completeJobBatchDelay }
            : {}),
        },
      },
    });
  }

  async stopWorkers(): Promise<void> {
    await this.#runner?.stop();
    this.#runner = undefined;
  }

  /** It deletes a job when the job completes: any row left is unfinished (no job fails here). */
  async anyUnfinished(): Promise<boolean> {
    return withClient(this.#url, async (c) =>
      (await c.query('SELECT EXISTS (SELECT 1 FROM graphile_worker._private_jobs) AS any')).rows[0].any,
    );
  }

  /** Straight into its jobs table (bulk SQL), as `add_jobs` would leave them: queued, runnable now. */
  async prefillQueued(count: number): Promise<void> {
    await withClient(this.#url, async (c) => {
      await c.query(`INSERT INTO graphile_worker._private_tasks (identifier) VALUES ('noop') ON CONFLICT DO NOTHING`);
      await c.query(
        `INSERT INTO graphile_worker._private_jobs (task_id, payload)
         SELECT (SELECT id FROM graphile_worker._private_tasks WHERE identifier = 'noop'), json_build_object('n', g) FROM generate_series(1, $1) AS g`,
        [count],
      );
      await settleBulkLoad(c, 'graphile_worker._private_jobs');
    });
  }

  async close(): Promise<void> {
    await this.stopWorkers();
    await this.#utils?.release();
    this.#utils = undefined;
    await this.#pool?.end();
    this.#pool = undefined;
  }
}
