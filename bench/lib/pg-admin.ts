import pg from 'pg';

/** The benchmark's PostgreSQL server: local only. */
export const PG_HOST = process.env.BENCH_PG_HOST ?? '127.0.0.1';
export const PG_PORT = Number(process.env.BENCH_PG_PORT ?? 5432);
export const PG_USER = process.env.BENCH_PG_USER ?? 'postgres';

export function pgUrl(database: string): string {
  return `postgres://${PG_USER}@${PG_HOST}:${PG_PORT}/${database}`;
}

/** Drops and recreates a database: every system starts each workload from an empty one. */
export async function freshDatabase(database: string): Promise<string> {
  if (!/^bench_[a-z0-9_]+$/.test(database)) throw new Error(`refusing to recreate ${database}: bench databases are bench_*`);
  const admin = new pg.Client({ connectionString: pgUrl('postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  return pgUrl(database);
}

export async function dropDatabase(database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: pgUrl('postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** One short-lived connection for bulk SQL (prefills, counts). */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function serverVersion(): Promise<string> {
  return withClient(pgUrl('postgres'), async (c) => (await c.query('SHOW server_version')).rows[0].server_version);
}

/**
 * After a bulk load into `table`: fresh statistics (as autovacuum would take them), and the load's
 * dirty pages written now, not by a checkpoint during the measurement.
 */
export async function settleBulkLoad(client: pg.Client, table: string): Promise<void> {
  await client.query(`VACUUM ANALYZE ${table}`);
  await client.query('CHECKPOINT');
}
