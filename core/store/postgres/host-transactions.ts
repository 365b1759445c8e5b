import type pg from 'pg';
import type { HostClient, HostTransactionInserts } from '../job-store.js';
import { STORE_TYPES } from './connection.js';
import { insertJobs } from './insert.js';
import { insertKeyedJob } from './insert-keyed.js';
import type { PostgresContext } from './postgres-context.js';
import type { Tables } from './tables.js';

/**
 * The store's inserts on the host's own client, inside its transaction. The statements are the
 * store's (insert.ts, insert-keyed.ts): their NOTIFYs of the wake and events channels are sent in
 * the host's transaction, so PostgreSQL delivers them at its commit, to every store instance, this
 * one too (the host's connection is none of its own), and drops them on a rollback. Nothing is
 * woken or announced here before that.
 *
 * Unnamed statements: a name would stay prepared on a connection the store does not own, through
 * schema changes it cannot see. int8 comes back as numbers for these statements only.
 */
export function hostTransactionInserts(tables: Tables): HostTransactionInserts {
  return {
    insertMany: (client, jobs) => insertJobs(hostContext(tables, client), jobs),
    insertKeyed: (client, job, onKeyTaken, now) => insertKeyedJob(hostContext(tables, client), job, onKeyTaken, now),
  };
}

function hostContext(tables: Tables, client: HostClient): PostgresContext {
  const query = async <Row extends pg.QueryResultRow>(config: pg.QueryConfig) => {
    const { text, values } = config;
    try {
      return (await client.query({ text, values, types: STORE_TYPES })) as pg.QueryResult<Row>;
    } catch (error) {
      // undefined_table: the client is connected to another database than the store's.
      if ((error as { code?: string }).code === '42P01') {
        throw new Error(`the client given to add is not connected to the store's database (its schema has no ${tables.jobs} table): ${(error as Error).message}`, { cause: error });
      }
      throw error;
    }
  };
  return {
    tables,
    query,
    queryPlannedForValues: query,
    // The commit's NOTIFY wakes this instance's listeners as it wakes the others'.
    wakeLocally: () => undefined,
    cancelRequested: () => undefined,
    countDeltasAdded: () => undefined,
    // Already in the host's open transaction: what would be one of its own runs in that one.
    transaction: (fn) => fn(client as unknown as pg.ClientBase),
  };
}
