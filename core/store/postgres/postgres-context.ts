import type { PostgresConnection, Queries } from './connection.js';
import type { Tables } from './tables.js';

/** What the store's operations work with: its statements' tables, its connection, its local listeners. */
export interface PostgresContext extends Queries {
  readonly tables: Tables;
  /** Our own writes wake our listeners at once; the NOTIFY they send is for other store instances. */
  wakeLocally(services: string[]): void;
  /** Tells this instance's listeners that a running job got its cancel request. */
  cancelRequested(id: number, service: string): void;
  /** One transaction on one connection (see PostgresConnection.transaction). */
  transaction: PostgresConnection['transaction'];
  /** Count-delta rows of completed jobs this instance just added (see CompletedCounts). */
  countDeltasAdded(rows: number): void;
}
