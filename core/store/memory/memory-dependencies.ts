import type { FlowChange } from '../flow-change-hub.js';
import type { JobStatus } from '../../jobs/job.js';
import { PARENT_DONE, batchCounts, PARENT_ENDED, parentFailedError, type BatchRecord, type RelatedJob } from '../job-flows.js';
import { parseJsonText } from '../job-row.js';
import type { MemoryRow } from './job-rules.js';

interface MemoryBatch {
  id: number;
  service: string;
  callbackId: number;
  size: number;
  created: number;
  members: Set<number>;
}

/** What the dependencies need of the memory store. */
export interface DependencyHost {
  row(id: number): MemoryRow | undefined;
  /** Brings the store's queues in line with a job the dependencies changed (and wakes its service). */
  changed(job: MemoryRow): void;
  /** Reports the change (see JobStore.onFlowChanged). */
  flowChanged(change: FlowChange): void;
}

const DEFAULT_LIMIT = 1000;

/**
 * The memory store's parents, children and batches, by the rules of core/store/job-flows.ts. It
 * hears of every change of a job (`changed`) and acts when one that has children has ended: once
 * per edge, so that a parent retried and ended again does not count twice.
 */
export class MemoryDependencies {
  private readonly parents = new Map<number, number[]>();
  private readonly children = new Map<number, number[]>();
  /** Edges `parent child` whose parent's end the child has counted. */
  private readonly counted = new Set<string>();
  private readonly batches = new Map<number, MemoryBatch>();
  private readonly batchOfCallback = new Map<number, number>();
  private lastBatchId = 0;

  constructor(private readonly host: DependencyHost) {}

  link(child: number, parents: number[]): void {
    if (parents.length === 0) return;
    this.parents.set(child, parents);
    for (const parent of parents) {
      let list = this.children.get(parent);
      if (!list) this.children.set(parent, (list = []));
      list.push(child);
    }
  }

  /** A link whose parent had ended already when it was made: counted at once. */
  countedAlready(parent: number, child: number): void {
    this.counted.add(`${parent} ${child}`);
  }

  addBatch(service: string, callbackId: number, members: number[], created: number): number {
    const id = ++this.lastBatchId;
    this.batches.set(id, { id, service, callbackId, size: members.length, created, members: new Set(members) });
    this.batchOfCallback.set(callbackId, id);
    return id;
  }

  getBatch(id: number): BatchRecord | undefined {
    const batch = this.batches.get(id);
    if (!batch) return undefined;
    const counts = batchCounts([...batch.members].flatMap((member) => {
      const status = this.host.row(member)?.status;
      return status === undefined ? [] : [{ status, count: 1 }];
    }));
    return { id, service: batch.service, callbackId: batch.callbackId, size: batch.size, created: batch.created, ...counts };
  }

  parentsOf(id: number, limit = DEFAULT_LIMIT): RelatedJob[] {
    return this.related(this.parents.get(id), limit);
  }

  childrenOf(id: number, limit = DEFAULT_LIMIT): RelatedJob[] {
    return this.related(this.children.get(id), limit);
  }

  /** Called after every change of a job: when it has just ended, its blocked children learn of it. */
  changed(job: MemoryRow): void {
    if (!job.has_children || !PARENT_ENDED.includes(job.status)) return;
    for (const childId of this.children.get(job.id) ?? []) {
      const edge = `${job.id} ${childId}`;
      const child = this.host.row(childId);
      if (!child || child.status !== 'blocked' || this.counted.has(edge)) continue;
      this.counted.add(edge);
      child.parents_left = (child.parents_left ?? 1) - 1;
      if (job.status !== PARENT_DONE && child.on_parent_failure === 'cancel') {
        child.status = 'cancelled';
        child.completed = job.completed;
        child.error = parentFailedError(job.id, job.status as JobStatus);
      } else if (child.parents_left === 0) {
        child.status = 'queued';
        child.run_at = 0;
      } else continue;
      this.host.flowChanged({
        service: child.service, jobId: child.id, task: child.task, status: child.status, time: job.completed ?? 0, error: child.error,
      });
      // Changing the child may end it (cancelled): its own children learn of it in turn.
      this.host.changed(child);
    }
  }

  /** A job removed (clean): its links go with it. */
  removed(id: number): void {
    this.parents.delete(id);
    this.children.delete(id);
    const batch = this.batchOfCallback.get(id);
    if (batch !== undefined) {
      this.batches.delete(batch);
      this.batchOfCallback.delete(id);
    }
  }

  private related(ids: number[] | undefined, limit: number): RelatedJob[] {
    const found: RelatedJob[] = [];
    for (const id of [...(ids ?? [])].sort((a, b) => a - b)) {
      if (found.length >= limit) break;
      const row = this.host.row(id);
      if (row) found.push({ id, task: row.task, status: row.status, result: parseJsonText(row.result), error: row.error });
    }
    return found;
  }
}
