import type { JobRecord, JobStatus } from '../jobs/job.js';
import type { NewJob } from './job-store.js';

// Jobs that wait for others (their parents), flows (a tree of such jobs added at once) and batches
// (many jobs with a callback that runs once all ended): the types the stores share and the rules
// they all apply. A job with parents is `blocked` until each parent ended; the store releases it
// (→ `queued`) in the transaction that ends its last parent, or cancels it when a parent failed or
// was cancelled and its `onParentFailure` says `cancel` — which cascades down to its own children.

/** What a job does when a parent ends `error` or `cancelled`: be cancelled too (default), or run anyway. */
export type OnParentFailure = 'cancel' | 'run';
export const ON_PARENT_FAILURE: readonly OnParentFailure[] = ['cancel', 'run'];

/** A parent's end that counts as done for its children; the others are failures. */
export const PARENT_DONE: JobStatus = 'completed';
/** The statuses a parent has ended in (FINAL_STATUSES): its children then learn of it. */
export const PARENT_ENDED: readonly JobStatus[] = ['completed', 'error', 'cancelled'];

/** One job of a flow as the store takes it. */
export interface NewFlowJob extends NewJob {
  /** Stored jobs it waits for (of the same service). */
  parentIds: number[];
  /** Earlier jobs of the same flow it waits for, by position in `NewFlow.jobs`. */
  parentRefs: number[];
  onParentFailure: OnParentFailure;
}

/** Jobs added in one store transaction; a job names its parents among the stored ones or the earlier ones. */
export interface NewFlow {
  jobs: NewFlowJob[];
  /** Makes it a batch: the last job is the callback (it waits for every other), the others its members. */
  batch?: boolean;
}

/** What `insertFlow` stored, in the order given; `batchId` for a batch. */
export interface FlowInsert {
  jobs: JobRecord[];
  batchId: number | null;
}

/** A job's parent or child as `parentsOf` / `childrenOf` answer it. */
export interface RelatedJob {
  id: number;
  task: string;
  status: JobStatus;
  result: unknown;
  error: string | null;
}

/** A batch and how far it is. `failed` counts members that ended `error`. */
export interface BatchRecord {
  id: number;
  service: string;
  callbackId: number;
  size: number;
  created: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Members not ended yet. */
  pending: number;
}

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
