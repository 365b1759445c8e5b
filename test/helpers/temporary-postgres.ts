/**
 * PostgreSQL for multi-process tests:
 *
 * - {@link createTemporaryDatabase}: a fresh database on the shared test server (127.0.0.1:5432,
 *   or `REMOTETASK_TEST_PG_URL`), dropped at the end;
 * - {@link startTemporaryCluster}: a throwaway PostgreSQL cluster of its own (initdb into a temp
 *   directory, a free port) that a test may stop and start at will — never the shared server,
 *   which other test files use at the same time.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export const TEST_PG_URL = process.env.REMOTETASK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
/** Where the PostgreSQL server binaries are (Debian's layout); `REMOTETASK_TEST_PG_BIN` overrides. */
export const PG_BIN = process.env.REMOTETASK_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** The URL of `database` on the server of `baseUrl`. */
export function databaseUrl(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface TemporaryDatabase {
  name: string;
  url: string;
  /** Drops the database, closing whatever connections are left (`WITH (FORCE)`). */
  drop(): Promise<void>;
}

/** Creates `remotetask_<label>_<pid>_<random>` on the server of `baseUrl` through its `postgres` database. */
export async function createTemporaryDatabase(label: string, baseUrl = TEST_PG_URL): Promise<TemporaryDatabase> {
  const name = `remotetask_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = databaseUrl(baseUrl, 'postgres');
  try {
    await withClient(admin, (client) => client.query(`CREATE DATABASE ${name}`));
  } catch (error) {
    const server = new URL(baseUrl);
    throw new Error(
      `these tests need PostgreSQL at ${server.hostname}:${server.port || 5432} (set REMOTETASK_TEST_PG_URL): ${(error as Error).message}`,
    );
  }
  return {
    name,
    url: databaseUrl(baseUrl, name),
    drop: () => withClient(admin, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TemporaryCluster {
  port: number;
  dir: string;
  /** `postgres://postgres@127.0.0.1:<port>/<database>` */
  url(database?: string): string;
  /** Starts the server and waits until it accepts connections (`pg_ctl start -w`). */
  start(): Promise<void>;
  /**
   * Stops the server. `immediate` is a crash as far as clients can tell: every connection drops at
   * once, nothing is flushed politely, and the next start runs crash recovery.
   */
  stop(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
  running(): boolean;
  /** The server's log, for failure messages. */
  log(): string;
  /** Stops the server (immediately) if it runs and removes its directory. */
  remove(): Promise<void>;
}

/**
 * Makes a PostgreSQL cluster of its own in a temp directory and starts it on a free port of
 * 127.0.0.1, with trust authentication for `postgres`. PostgreSQL refuses to run as root: as root,
 * its binaries run as the `postgres` OS user (`runuser`), which then owns the directory.
 * `fsync=off` makes it quick; a stop with `-m immediate` still finds everything committed (crash
 * recovery replays the WAL the OS holds), only a machine crash would not.
 */
export async function startTemporaryCluster(): Promise<TemporaryCluster> {
  if (!existsSync(join(PG_BIN, 'initdb'))) {
    throw new Error(`no PostgreSQL server binaries in ${PG_BIN} (set REMOTETASK_TEST_PG_BIN)`);
  }
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'remotetask-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  chmodSync(dir, 0o700);
  const pgBinary = (name: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(PG_BIN, name), ...args]) : run(join(PG_BIN, name), args);

  const port = await freePort();
  let isRunning = false;
  const cluster: TemporaryCluster = {
    port,
    dir,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      try {
        await pgBinary('pg_ctl', [
          '-D', data, '-l', logFile, '-w', '-t', '30',
          '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
          'start',
        ]);
      } catch (error) {
        throw new Error(`the temporary PostgreSQL did not start: ${(error as Error).message}\n${cluster.log()}`);
      }
      isRunning = true;
    },
    async stop(mode = 'fast') {
      await pgBinary('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
      isRunning = false;
    },
    running: () => isRunning,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async remove() {
      if (isRunning) await cluster.stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await pgBinary('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    await cluster.start();
  } catch (error) {
    await cluster.remove();
    throw error;
  }
  return cluster;
}
