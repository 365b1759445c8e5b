import type { JobStatus } from '../jobs/job.js';

// The records of flows and batches (core/store/job-flows.ts has the rules).

/** What a job does when a parent ends `error` or `cancelled`: be cancelled too (default), or run anyway. */
export type OnParentFailure = 'cancel' | 'run';
export const ON_PARENT_FAILURE: readonly OnParentFailure[] = ['cancel', 'run'];

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
