import type { JobRecord } from '../jobs/job.js';
import { hostInserts } from '../store/host-inserts.js';
import type { JobStore, KeyedInsert, NewJob, OnKeyTaken } from '../store/job-store.js';

/** Where an add writes its jobs: through the store's own connections, or on the host's client. */
export interface JobWriter {
  insert(job: NewJob): Promise<JobRecord>;
  insertMany(jobs: NewJob[]): Promise<JobRecord[]>;
  insertKeyed(job: NewJob & { key: string }, onKeyTaken: OnKeyTaken, now: number): Promise<KeyedInsert>;
  /**
   * Whether what it wrote is committed when it returns: then the adder announces `added` itself.
   * A host transaction's jobs are announced by the store at its commit (never, on a rollback).
   */
  readonly committed: boolean;
}

/** One per store: every add without a host client writes through it (none is built per add). */
const storeWriters = new WeakMap<JobStore, JobWriter>();

/** The store itself, or — with `client` — the store's inserts in the host's transaction (a clear error where there are none). */
export function jobWriter(store: JobStore, client: unknown): JobWriter {
  if (client === undefined) {
    let writer = storeWriters.get(store);
    if (!writer) {
      writer = {
        insert: (job) => store.insert(job),
        insertMany: (jobs) => store.insertMany(jobs),
        insertKeyed: (job, onKeyTaken, now) => store.insertKeyed(job, onKeyTaken, now),
        committed: true,
      };
      storeWriters.set(store, writer);
    }
    return writer;
  }
  const host = hostInserts(store, client);
  return {
    insert: async (job) => (await host.inserts.insertMany(host.client, [job]))[0]!,
    insertMany: (jobs) => host.inserts.insertMany(host.client, jobs),
    insertKeyed: (job, onKeyTaken, now) => host.inserts.insertKeyed(host.client, job, onKeyTaken, now),
    committed: false,
  };
}
