import type { NewJob } from './job-store.js';

/**
 * The items in the order a claim reads their jobs, by (priority, run_at), keeping the order given
 * among equals. A batch of jobs written in this order gives the jobs of one priority neighbouring
 * ids, so their rows share table pages: a claim and a finish of one priority then write a few
 * pages, not every page of the batch (SQLite writes each changed page whole).
 */
export function inClaimOrder<T>(items: readonly T[], jobOf: (item: T) => NewJob): T[] {
  return items
    .map((item, index) => ({ item, index, job: jobOf(item) }))
    .sort((a, b) => (a.job.priority ?? 0) - (b.job.priority ?? 0) || a.job.runAt - b.job.runAt || a.index - b.index)
    .map(({ item }) => item);
}
