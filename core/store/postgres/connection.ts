import pg from 'pg';
import { explainError } from './explain-error.js';
import { migratePostgres } from './postgres-migrations.js';

/**
 * Planner settings of the store's connections. Every join the store makes goes from a small batch
 * (a claim's locked rows, a batch of outcomes, a cancel's targets) to the jobs table by key, so a
 * nested loop of probes is the plan it wants, whatever the table's size. The statistics disagree
 * at the worst moments: taken while a large backlog waited and no job ran, they price a hash of
 * the whole table below a few hundred probes, and with them every claim, or each batch of
 * outcomes, read the whole table (twice as slow at 20,000 jobs, worse as it grows). So: no hash or
 * merge joins, and each named statement is planned once, for any parameters (generic plans).
 * And no JIT compilation: a generic plan over a large table is priced above jit_above_cost, and
 * compiling it took 10 to 20 ms at each call (a claim with 1,000,000 jobs queued) for a statement
 * that runs in one. Other clients of the database keep their own settings.
 */
export const STORE_PLANNER_SETTINGS = { plan_cache_mode: 'force_generic_plan', enable_hashjoin: 'off', enable_mergejoin: 'off', jit: 'off' };

/**
 * The connection string and startup `options` that give a connection {@link STORE_PLANNER_SETTINGS}
 * (sent with the startup packet: no extra round trip). `options` of the URL's own are kept.
 */
export function withPlannerSettings(url: string): { connectionString: string; options?: string } {
  const settings = Object.entries(STORE_PLANNER_SETTINGS).map(([name, value]) => `-c ${name}=${value}`).join(' ');
  try {
    const parsed = new URL(url);
    const own = parsed.searchParams.get('options');
    if (own !== null) {
      // pg reads the URL's options over the configuration's: add ours to them.
      parsed.searchParams.set('options', `${own} ${settings}`);
      return { connectionString: parsed.toString() };
    }
  } catch {
    // Not a URL pg would parse either: the options go in the configuration.
  }
  return { connectionString: url, options: settings };
}

export const CONNECT_TIMEOUT_MS = 10_000;
const INT8_OID = 20;

/**
 * int8 (ids, millisecond times, counts) as numbers for this store's connections only; every value
 * it stores stays below 2^53. Other pg users in the process keep their own parsing.
 */
export const STORE_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** What the operations of the store run their statements through. */
export interface Queries {
  query<Row extends pg.QueryResultRow = pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<Row>>;
  queryPlannedForValues<Row extends pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<Row>>;
  /** Runs `fn` in one transaction on one connection (committed when it returns, rolled back when it throws). */
  transaction<T>(fn: (client: pg.ClientBase) => Promise<T>): Promise<T>;
}

/** The store's pool: its connections, with the store's planner settings and int8 parsing. */
export class PostgresConnection implements Queries {
  /** Backend pids of the pool's connections: their notifications were already dispatched locally. */
  readonly ownBackendPids = new Set<number>();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly server: string,
  ) {}

  /** Connects and brings the schema up to date; a failure ends the pool and is explained. */
  static async open(options: { url: string; schema: string; poolSize: number; server: string }): Promise<PostgresConnection> {
    const pool = new pg.Pool({
      ...withPlannerSettings(options.url),
      max: options.poolSize,
      types: STORE_TYPES,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: 'remotetask',
    });
    const connection = new PostgresConnection(pool, options.server);
    // An idle connection that dies (server restart) is dropped by the pool; without a handler the
    // 'error' event would crash the process.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => {
      const pid = (client as unknown as { processID?: number }).processID;
      if (pid !== undefined) connection.ownBackendPids.add(pid);
    });
    pool.on('remove', (client) => {
      const pid = (client as unknown as { processID?: number }).processID;
      if (pid !== undefined) connection.ownBackendPids.delete(pid);
    });
    try {
      const client = await pool.connect();
      try {
        await migratePostgres(client, options.schema);
      } finally {
        client.release();
      }
      return connection;
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw explainError(options.server, error);
    }
  }

  async end(): Promise<void> {
    await this.pool.end();
    this.ownBackendPids.clear();
  }

  async query<Row extends pg.QueryResultRow = pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<Row>> {
    try {
      return await this.pool.query<Row>(config);
    } catch (error) {
      throw explainError(this.server, error);
    }
  }

  /**
   * A statement planned for its parameters' values (a custom plan), unlike the store's named
   * statements (see {@link STORE_PLANNER_SETTINGS}): a listing reads the primary key for a service
   * with many jobs and the BRIN index for one with few. Two more round trips: for listings and
   * counts, not for the work.
   */
  async queryPlannedForValues<Row extends pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<Row>> {
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      await client.query(`BEGIN READ ONLY; SET LOCAL plan_cache_mode = force_custom_plan`);
      const result = await client.query<Row>(config);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackFailed: Error) => (broken = rollbackFailed));
      throw explainError(this.server, error);
    } finally {
      // A connection that cannot even roll back is dropped, not handed to the next caller.
      client.release(broken);
    }
  }

  async transaction<T>(fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackFailed: Error) => (broken = rollbackFailed));
      throw explainError(this.server, error);
    } finally {
      client.release(broken);
    }
  }

  /** An advisory lock held by one connection across `fn`: every process on the database respects it. */
  async exclusively<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
      }
    } finally {
      client.release();
    }
  }

  /** The advisory lock if no connection holds it now, without waiting: `{ ran: false }` when another does. */
  async tryExclusively<T>(key: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    const client = await this.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key]);
      if (!rows[0].locked) return { ran: false };
      try {
        return { ran: true, value: await fn() };
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
      }
    } finally {
      client.release();
    }
  }

  private async connect(): Promise<pg.PoolClient> {
    return this.pool.connect().catch((error: unknown) => {
      throw explainError(this.server, error);
    });
  }
}
