import type { HostClient, HostTransactionInserts, JobStore } from './job-store.js';

/** A `client` that cannot be used: not a client at all, or a store that writes only through its own connections. */
export class HostClientError extends Error {
  override name = 'HostClientError';
}

/** The store's inserts on the host's `client`, or a clear error saying why there are none. */
export function hostInserts(store: JobStore, client: unknown): { inserts: HostTransactionInserts; client: HostClient } {
  if (typeof (client as HostClient | null)?.query !== 'function') {
    throw new HostClientError(
      `client must be a connected pg Client or PoolClient (an object with a query method), inside the transaction the job belongs to; got ${describe(client)}`,
    );
  }
  if (!store.hostTransactions) {
    throw new HostClientError(
      `adding a job with your own client (transactional enqueue) needs the PostgreSQL store; this service's store is "${store.kind}": add without client`,
    );
  }
  return { inserts: store.hostTransactions, client: client as HostClient };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return `an object without a query method (keys: ${Object.keys(value).slice(0, 5).join(', ') || 'none'})`;
}
