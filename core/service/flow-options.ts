import { ON_PARENT_FAILURE, type OnParentFailure } from '../store/job-flows.js';

/** Flow options that are wrong or do not fit together: nothing was added. */
export class FlowOptionsError extends RangeError {
  readonly code = 'invalid_flow';

  constructor(message: string) {
    super(message);
    this.name = 'FlowOptionsError';
  }
}

/** The most jobs one flow or batch adds (one store transaction). */
export const MAX_FLOW_JOBS = 10_000;
/** The most parents one job waits for (a batch's callback waits for all its members, up to MAX_FLOW_JOBS). */
export const MAX_PARENTS = 1_000;

/** How a job waits for others, as `add` takes it. */
export interface DependencyOptions {
  /** Ids of jobs of the same service this job waits for: it runs once all of them completed. */
  after?: number[];
  /** When one of them ends `error` or `cancelled`: `cancel` this job too (default), or `run` it anyway. */
  onParentFailure?: OnParentFailure;
}

/** One job of a flow: `after` names stored jobs by id and earlier jobs of the flow by their `name`. */
export interface FlowJobSpec {
  /** A name the later jobs of the flow wait for it by (unique within the flow). */
  name?: string;
  task: string;
  input?: unknown;
  after?: (number | string)[];
  onParentFailure?: OnParentFailure;
  priority?: number;
  timeout?: number;
}

/** A flow as `addFlow` takes it: a list of jobs, each after the jobs it waits for. */
export interface FlowSpec {
  jobs: FlowJobSpec[];
}

/** One job of a batch (members wait for nothing; the callback waits for all of them). */
export interface BatchJobSpec {
  task: string;
  input?: unknown;
  priority?: number;
  timeout?: number;
}

export interface BatchSpec {
  jobs: BatchJobSpec[];
  /** Runs once every job of the batch ended, however each ended; it reads the counts with `context.batch()`. */
  callback: BatchJobSpec;
}

/** A job a flow or batch added. */
export interface AddedFlowJob {
  id: number;
  name: string | null;
  task: string;
  status: string;
}

export interface AddedBatch {
  batchId: number;
  callbackId: number;
  ids: number[];
}

export function checkedOnParentFailure(value: unknown): OnParentFailure {
  if (value === undefined) return 'cancel';
  if (!(ON_PARENT_FAILURE as readonly unknown[]).includes(value)) {
    throw new FlowOptionsError(`onParentFailure must be ${ON_PARENT_FAILURE.join(' or ')}; got ${JSON.stringify(value)}`);
  }
  return value as OnParentFailure;
}

/** The ids of `after` checked: whole positive numbers, at most MAX_PARENTS, no repeats. */
export function checkedParentIds(after: unknown, where = 'after'): number[] {
  if (!Array.isArray(after)) throw new FlowOptionsError(`${where} must be a list of job ids; got ${JSON.stringify(after)?.slice(0, 80)}`);
  if (after.length > MAX_PARENTS) throw new FlowOptionsError(`${where} names ${after.length} jobs; a job waits for at most ${MAX_PARENTS}`);
  const bad = after.find((id) => !Number.isSafeInteger(id) || (id as number) < 1);
  if (bad !== undefined) throw new FlowOptionsError(`${where} must hold job ids (whole numbers from 1); got ${JSON.stringify(bad)}`);
  return [...new Set(after as number[])];
}
