import pg from 'pg';
import { FloorSystem, type FloorJob, type FloorStatements } from '../lib/floor-loop.js';
import { freshDatabase, settleBulkLoad, withClient } from '../lib/pg-admin.js';
import type { OpenOptions } from '../lib/system.js';

const SCHEMA = `
  CREATE TABLE floor_jobs (
    id bigserial PRIMARY KEY,
    payload jsonb NOT NULL,
    status smallint NOT NULL DEFAULT 0 -- 0 queued, 1 running, 2 finished
  );
  CREATE INDEX floor_jobs_queued ON floor_jobs (id) WHERE status = 0;`;

const CLAIM = `
  UPDATE floor_jobs SET status = 1
  WHERE id IN (SELECT id FROM floor_jobs WHERE status = 0 ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
  RETURNING id, payload`;
const COMPLETE = 'UPDATE floor_jobs SET status = 2 WHERE id = ANY($1::bigint[])';

/**
 * The floor on PostgreSQL: a minimal queue in raw SQL through the same driver (pg) and the
 * server's default durability (`synchronous_commit` on). A batched claim with `FOR UPDATE SKIP
 * LOCKED` and `RETURNING`, a batched completion that keeps the finished row (as remotetask does).
 * Its throughput is the ceiling the other PostgreSQL rows are measured against.
 */
export class FloorPostgresSystem extends FloorSystem {
  readonly backend = 'postgres' as const;
  readonly label = 'floor: raw SQL loop (PostgreSQL)';
  #url = '';
  #pool?: pg.Pool;

  constructor(private readonly database = 'bench_floor') {
    super();
  }

  get url(): string {
    return this.#url;
  }

  async open({ concurrency }: OpenOptions): Promise<void> {
    this.concurrency = concurrency;
    this.#url = await freshDatabase(this.database);
    await withClient(this.#url, (c) => c.query(SCHEMA));
    this.attach(this.#url);
  }

  /** Connects to a database that already holds the table (a worker process of the processes workload). */
  attach(url: string, concurrency = this.concurrency): void {
    this.#url = url;
    this.concurrency = concurrency;
    // Two connections: the claim in flight and the completion in flight; one more for adds and counts.
    this.#pool = new pg.Pool({ connectionString: url, max: 3 });
    this.#pool.on('error', () => undefined);
  }

  async addOne(data: unknown): Promise<void> {
    await this.#pool!.query('INSERT INTO floor_jobs (payload) VALUES ($1)', [JSON.stringify(data)]);
  }

  async addBatch(data: unknown[]): Promise<void> {
    await this.#pool!.query('INSERT INTO floor_jobs (payload) SELECT * FROM unnest($1::jsonb[])', [data.map((d) => JSON.stringify(d))]);
  }

  protected statements(): FloorStatements {
    const pool = this.#pool!;
    return {
      claim: async (limit) => (await pool.query<FloorJob>(CLAIM, [limit])).rows,
      complete: async (ids) => void (await pool.query(COMPLETE, [ids])),
    };
  }

  async anyUnfinished(): Promise<boolean> {
    return (await this.#pool!.query('SELECT EXISTS (SELECT 1 FROM floor_jobs WHERE status < 2) AS any')).rows[0].any;
  }

  protected async bulk(count: number, status: 0 | 2): Promise<void> {
    await withClient(this.#url, async (c) => {
      await c.query(`INSERT INTO floor_jobs (payload, status) SELECT jsonb_build_object('n', g), $2 FROM generate_series(1, $1) AS g`, [count, status]);
      await settleBulkLoad(c, 'floor_jobs');
    });
  }

  async close(): Promise<void> {
    await this.stopWorkers();
    await this.#pool?.end();
    this.#pool = undefined;
  }
}
