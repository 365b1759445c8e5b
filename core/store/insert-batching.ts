import type { JobRecord } from '../jobs/job.js';
import type { NewJob } from './job-store.js';
import { inClaimOrder } from './in-claim-order.js';
import { SameTurnQueue } from './same-turn-queue.js';

interface PendingInsert {
  job: NewJob;
  resolve: (record: JobRecord) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for inserts: those asked for in the same turn of the event loop (concurrent adds:
 * HTTP requests, a batch of add() calls) are written by one call of `insertMany`, one transaction
 * for all. Each resolves only once it is committed. When the batch fails, each job is written on
 * its own, so that one job's failure (input JSON cannot hold) fails only that job. The batch is
 * written in claim order (see in-claim-order.ts): within a priority, in the order asked for.
 */
export class InsertBatcher {
  private readonly queue = new SameTurnQueue<PendingInsert>(() => void this.flush());

  constructor(private readonly insertMany: (jobs: NewJob[]) => Promise<JobRecord[]>) {}

  insert(job: NewJob): Promise<JobRecord> {
    return new Promise<JobRecord>((resolve, reject) => this.queue.push({ job, resolve, reject }));
  }

  /** Writes the inserts asked for so far (a store flushes before it closes). */
  async flush(): Promise<void> {
    const pending = inClaimOrder(this.queue.take(), (entry) => entry.job);
    if (pending.length === 0) return;
    try {
      const records = await this.insertMany(pending.map((entry) => entry.job));
      pending.forEach((entry, index) => entry.resolve(records[index]));
    } catch (error) {
      if (pending.length === 1) return pending[0].reject(error);
      // In claim order: a synchronous store writes them one after the other, in this order.
      await Promise.all(
        pending.map((entry) => this.insertMany([entry.job]).then(([record]) => entry.resolve(record), entry.reject)),
      );
    }
  }
}
