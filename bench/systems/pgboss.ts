import { PgBoss } from 'pg-boss';
import { freshDatabase, settleBulkLoad, withClient } from '../lib/pg-admin.js';
import type { OpenOptions, QueueSystem } from '../lib/system.js';
import { probe } from '../lib/util.js';

const QUEUE = 'noop';

export interface PgBossSettings {
  /**
   * Jobs fetched per `work()` fetch: a number, or `'c'` for the workload's concurrency (at least 2,
   * since `burstWhenBatchFull` is ignored at 1). The handler runs a batch's jobs at most c at a time,
   * so that no more jobs run at once than for the other systems.
   */
  batchSize: number | 'c';
  /** `burstWhenBatchFull`: fetch again at once while fetches come back full, instead of after the polling interval. */
  burst: boolean;
  /** `useListenNotify` on the instance and `notify` on the queue: an add wakes an idle worker. */
  notify: boolean;
}

export const PGBOSS_BEST: PgBossSettings = { batchSize: 'c', burst: true, notify: true };

/** pg-boss 12 through its API (`send`, `insert`, `work`), on its own database. */
export class PgBossSystem implements QueueSystem {
  readonly backend = 'postgres' as const;
  readonly label: string;
  #url = '';
  #boss?: PgBoss;
  #concurrency = 1;

  constructor(
    private readonly settings: PgBossSettings = PGBOSS_BEST,
    label = 'pg-boss',
  ) {
    this.label = label;
  }

  async open({ concurrency }: OpenOptions): Promise<void> {
    this.#concurrency = concurrency;
    this.#url = await freshDatabase('bench_pgboss');
    this.#boss = new PgBoss({
      connectionString: this.#url,
      max: Math.max(10, concurrency + 2),
      // No maintenance or cron loops during a measurement; they run on timers otherwise.
      supervise: false,
      schedule: false,
      useListenNotify: this.settings.notify,
    });
    this.#boss.on('error', () => undefined);
    await this.#boss.start();
    await this.#boss.createQueue(QUEUE, { notify: this.settings.notify });
  }

  async addOne(data: unknown): Promise<void> {
    await this.#boss!.send(QUEUE, data as object);
  }

  async addBatch(data: unknown[]): Promise<void> {
    await this.#boss!.insert(QUEUE, data.map((d) => ({ data: d as object })));
  }

  async startWorkers(): Promise<void> {
    const c = this.#concurrency;
    const batchSize = this.settings.batchSize === 'c' ? Math.max(2, c) : this.settings.batchSize;
    await this.#boss!.work(
      QUEUE,
      // 0.5 s is the fastest base polling it accepts; with NOTIFY on, an add wakes it anyway.
      { batchSize, burstWhenBatchFull: this.settings.burst, pollingIntervalSeconds: 0.5 },
      async (jobs: unknown[]) => {
        let next = 0;
        const lane = async () => {
          while (next < jobs.length) {
            next++;
            await probe.ran();
          }
        };
        await Promise.all(Array.from({ length: Math.min(c, jobs.length) }, lane));
      },
    );
  }

  async stopWorkers(): Promise<void> {
    await this.#boss?.offWork(QUEUE, { wait: true }).catch(() => undefined);
  }

  async anyUnfinished(): Promise<boolean> {
    return withClient(this.#url, async (c) =>
      (
        await c.query(`SELECT EXISTS (SELECT 1 FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry', 'active')) AS any`, [
          QUEUE,
        ])
      ).rows[0].any,
    );
  }

  /** Completed jobs stay in pgboss.job until their retention is over (`deletion_seconds`, 7 days by default). */
  async prefillFinished(count: number): Promise<void> {
    await this.#bulk(count, `'completed', now(), now()`);
  }

  async prefillQueued(count: number): Promise<void> {
    await this.#bulk(count, `'created', NULL, NULL`);
  }

  async #bulk(count: number, stateAndTimes: string): Promise<void> {
    await withClient(this.#url, async (c) => {
      await c.query(
        `INSERT INTO pgboss.job (name, data, state, started_on, completed_on)
         SELECT $1, jsonb_build_object('n', g), ${stateAndTimes} FROM generate_series(1, $2) AS g`,
        [QUEUE, count],
      );
      await settleBulkLoad(c, 'pgboss.job');
    });
  }

  async close(): Promise<void> {
    await this.#boss?.stop({ graceful: false, timeout: 5_000 }).catch(() => undefined);
    this.#boss = undefined;
  }
}
