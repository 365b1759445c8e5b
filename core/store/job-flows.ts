import type { JobStatus } from '../jobs/job.js';
import type { NewFlowJob, NewJob } from './job-store.js';
import type { BatchRecord } from './flow-records.js';

export type { NewFlow, NewFlowJob, FlowInsert } from './job-store.js';
export { ON_PARENT_FAILURE, type BatchRecord, type OnParentFailure, type RelatedJob } from './flow-records.js';

// Jobs that wait for others (their parents), flows (a graph of such jobs added at once) and
// batches (many jobs with a callback that runs once all ended): the rules every store applies; the
// types are in job-store.ts and flow-records.ts. A job with parents is `blocked` until each parent
// ended; the store releases it (→ `queued`) in the transaction that ends its last parent, or
// cancels it when a parent failed or was cancelled and its `onParentFailure` says `cancel` — which
// cascades down to its own children.

/** A parent's end that counts as done for its children; the others are failures. */
export const PARENT_DONE: JobStatus = 'completed';
/** The statuses a parent has ended in (FINAL_STATUSES): its children then learn of it. */
export const PARENT_ENDED: readonly JobStatus[] = ['completed', 'error', 'cancelled'];

/** A batch's member counts from (status, count) pairs. */
export function batchCounts(rows: Iterable<{ status: JobStatus; count: number }>): Pick<BatchRecord, 'completed' | 'failed' | 'cancelled' | 'pending'> {
  const counts = { completed: 0, failed: 0, cancelled: 0, pending: 0 };
  for (const { status, count } of rows) {
    if (status === 'completed') counts.completed += count;
    else if (status === 'error') counts.failed += count;
    else if (status === 'cancelled') counts.cancelled += count;
    else counts.pending += count;
  }
  return counts;
}

/** A parent id that names no job of the service: nothing was added. */
export class UnknownParentError extends Error {
  readonly code = 'unknown_parent';

  constructor(readonly ids: number[], service: string) {
    super(`no job ${ids.join(', ')} in ${service} to wait for: "after" names jobs of the same service by id`);
    this.name = 'UnknownParentError';
  }
}

/** What a new job of a flow starts as, given the parents' statuses as the transaction found them. */
export interface FlowJobStart {
  status: NewJob['status'] | 'blocked' | 'cancelled';
  /** Parents not ended yet; null for a job without parents. */
  parentsLeft: number | null;
  error: string | null;
}

/**
 * The start of each new job of a flow, in order (parents come first: a reference points back).
 * A parent already ended counts as such: a failed one cancels the child at once, or not, as its
 * option says; a new parent that starts cancelled does the same to its children.
 */
export function flowJobStarts(jobs: readonly NewFlowJob[], storedStatus: ReadonlyMap<number, JobStatus>): FlowJobStart[] {
  const starts: FlowJobStart[] = [];
  jobs.forEach((job, index) => {
    const parents = [
      ...job.parentIds.map((id) => ({ id, status: storedStatus.get(id)! })),
      ...job.parentRefs.map((ref) => {
        if (!Number.isInteger(ref) || ref < 0 || ref >= index) throw new RangeError(`job ${index} of the flow names ${ref} as its parent: a parent comes earlier in the flow`);
        return { id: null, ref, status: starts[ref].status as JobStatus };
      }),
    ];
    if (parents.length === 0) {
      starts.push({ status: job.status, parentsLeft: null, error: null });
      return;
    }
    const failed = parents.find((parent) => PARENT_ENDED.includes(parent.status) && parent.status !== PARENT_DONE);
    if (failed && job.onParentFailure === 'cancel') {
      starts.push({ status: 'cancelled', parentsLeft: 0, error: parentFailedError(failed.id ?? `#${(failed as { ref: number }).ref} of its flow`, failed.status) });
      return;
    }
    const left = parents.filter((parent) => !PARENT_ENDED.includes(parent.status)).length;
    starts.push({ status: left > 0 ? 'blocked' : job.status, parentsLeft: left, error: null });
  });
  return starts;
}

/** The error of a job cancelled because a parent failed; the SQL stores' triggers word it alike. */
export function parentFailedError(parent: number | string, status: JobStatus): string {
  return `cancelled: its parent job ${parent} ended ${status}`;
}
