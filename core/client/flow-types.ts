/** The JSON of flows, batches and dependencies (see docs/flows-and-batches.md). */
import type { JobStatus } from '../jobs/job.js';

/** One job of `POST …/flows`: `after` names stored jobs by id and earlier jobs of the flow by `name`. */
export interface FlowJobJson {
  name?: string;
  task: string;
  input?: unknown;
  after?: (number | string)[];
  onParentFailure?: 'cancel' | 'run';
  priority?: number;
  timeout?: number;
}

export interface FlowAddedJson {
  jobs: { id: number; name: string | null; task: string; status: JobStatus }[];
}

export interface BatchJobJson {
  task: string;
  input?: unknown;
  priority?: number;
  timeout?: number;
}

export interface BatchAddedJson {
  batchId: number;
  callbackId: number;
  ids: number[];
}

/** `GET …/batches/{id}`: how far the batch is. */
export interface BatchJson {
  id: number;
  service: string;
  callbackId: number;
  size: number;
  created: string;
  completed: number;
  failed: number;
  cancelled: number;
  pending: number;
}

/** A job's parent or child as `GET …/jobs/{id}/dependencies` lists it. */
export interface RelatedJobJson {
  id: number;
  task: string;
  status: JobStatus;
  result: unknown;
  error: string | null;
}

export interface DependenciesJson {
  parents: RelatedJobJson[];
  children: RelatedJobJson[];
}
