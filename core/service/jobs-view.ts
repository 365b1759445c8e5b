import type { JobRecord, JobStatus } from '../jobs/job.js';
import type { JobPage, JobQuery, JobStore } from '../store/job-store.js';

/** The service's jobs: one by id, a page at a time, or all of them in id order. */
export class JobsView {
  constructor(
    /** The service's address, `site@Service`. */
    private readonly service: string,
    private readonly store: JobStore,
    /** The service's `getJob`: a job of another service is not found through this view either. */
    readonly get: (jobId: number) => Promise<JobRecord>,
  ) {}

  page(query: Omit<JobQuery, 'service'> = {}): Promise<JobPage> {
    return this.store.list({ ...query, service: this.service });
  }

  countByStatus(): Promise<Record<JobStatus, number>> {
    return this.store.countByStatus(this.service);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<JobRecord> {
    yield* this.iterate();
  }

  /** Every job matching the filter, a page at a time, in id order. */
  async *iterate(filter: Pick<JobQuery, 'status' | 'task'> = {}): AsyncGenerator<JobRecord> {
    let cursor: string | undefined;
    do {
      const page = await this.page({ ...filter, limit: 500, cursor });
      yield* page.jobs;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /** Every job, in id order (for small services and tests; use `page` for large ones). */
  async all(): Promise<JobRecord[]> {
    const jobs: JobRecord[] = [];
    for await (const job of this) jobs.push(job);
    return jobs;
  }
}
