import PgBoss from 'pg-boss';
import { freshDatabase, withClient } from '../lib/pg-admin.js';
import type { QueueSystem } from '../lib/system.js';
import { probe } from '../lib/util.js';

const QUEUE = 'noop';

export interface PgBossSettings {
  /** `work()` callers; default: one per unit of concurrency, batchSize 1 (pg-boss 10 has no teamSize). */
  mode?: 'workers' | 'batch';
}

/** pg-boss 10 through its API (`send`, `insert`, `work`), on its own database. */
export class PgBossSystem implements QueueSystem {
  readonly backend = 'postgres' as const;
  readonly label: string;
  #url = '';
  #boss?: PgBoss;
  #concurrency = 1;

  constructor(private readonly settings: PgBossSettings = {}, label = 'pg-boss') {
    this.label = label;
  }

  async open(concurrency: number): Promise<void> {
    this.#concurrency = concurrency;
    this.#url = await freshDatabase('bench_pgboss');
    this.#boss = new PgBoss({
      connectionString: this.#url,
      max: Math.max(10, concurrency + 2),
      // No maintenance or cron loops during a measurement; they run on timers otherwise.
      supervise: false,
      schedule: false,
    });
    this.#boss.on('error', () => undefined);
    await this.#boss.start();
    await this.#boss.createQueue(QUEUE);
  }

  async addOne(data: unknown): Promise<void> {
    await this.#boss!.send(QUEUE, data as object);
  }

  async addBatch(data: unknown[]): Promise<void> {
    await this.#boss!.insert(data.map((d) => ({ name: QUEUE, data: d as object })));
  }

  async startWorkers(): Promise<void> {
    const boss = this.#boss!;
    // Its fastest polling (0.5 s, the minimum it accepts): it has no NOTIFY wake-up.
    const pollingIntervalSeconds = 0.5;
    if (this.settings.mode === 'batch') {
      await boss.work(QUEUE, { batchSize: this.#concurrency, pollingIntervalSeconds }, async (jobs) => {
        await Promise.all(jobs.map(async () => probe.ran()));
      });
      return;
    }
    for (let i = 0; i < this.#concurrency; i++) {
      await boss.work(QUEUE, { batchSize: 1, pollingIntervalSeconds }, async () => {
        probe.ran();
      });
    }
  }

  async stopWorkers(): Promise<void> {
    await this.#boss?.offWork(QUEUE).catch(() => undefined);
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

  /** Completed jobs stay in pgboss.job until archived (12 h by default). */
  async prefillFinished(count: number): Promise<void> {
    await withClient(this.#url, async (c) => {
      await c.query(
        `INSERT INTO pgboss.job (name, data, state, started_on, completed_on)
         SELECT $1, jsonb_build_object('n', g), 'completed', now(), now() FROM generate_series(1, $2) AS g`,
        [QUEUE, count],
      );
      await c.query('VACUUM ANALYZE pgboss.job');
      // The bulk load's dirty pages written now, not by a checkpoint during the measurement.
      await c.query('CHECKPOINT');
    });
  }

  async close(): Promise<void> {
    await this.#boss?.stop({ graceful: false, wait: true, timeout: 5_000 } as never).catch(() => undefined);
    this.#boss = undefined;
  }
}
