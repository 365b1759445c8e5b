import type { JobRecord, JobStatus } from '../../jobs/job.js';
import { PARENT_ENDED, UnknownParentError, flowJobStarts, type FlowInsert, type NewFlow } from '../job-flows.js';
import type { NewJob } from '../job-store.js';
import type { MemoryRow } from './job-rules.js';
import type { MemoryDependencies } from './memory-dependencies.js';

interface FlowHost {
  row(id: number): MemoryRow | undefined;
  /** Inserts the jobs, `rows` setting each new row's flow columns before it is queued. */
  insert(jobs: NewJob[], rows: (index: number, row: MemoryRow) => void): JobRecord[];
}

/** insertFlow of the memory store: synchronous, so atomic. */
export function insertMemoryFlow(flow: NewFlow, dependencies: MemoryDependencies, host: FlowHost): FlowInsert {
  const { jobs } = flow;
  if (jobs.length === 0) return { jobs: [], batchId: null };
  const stored = new Map<number, JobStatus>();
  const unknown = new Set<number>();
  for (const job of jobs) {
    for (const id of job.parentIds) {
      const parent = host.row(id);
      if (parent && parent.service === job.service) stored.set(id, parent.status);
      else unknown.add(id);
    }
  }
  if (unknown.size > 0) throw new UnknownParentError([...unknown].sort((a, b) => a - b), jobs[0].service);
  const starts = flowJobStarts(jobs, stored);
  const referenced = new Set(jobs.flatMap((job) => job.parentRefs));
  const ids: number[] = [];
  // Links first (the rows get them as they are inserted), then each row's own columns.
  const records = host.insert(jobs, (index, row) => {
    const start = starts[index];
    const job = jobs[index];
    ids.push(row.id);
    row.status = start.status;
    row.parents_left = start.parentsLeft;
    row.on_parent_failure = start.parentsLeft === null ? null : job.onParentFailure;
    row.has_children = referenced.has(index);
    if (start.status === 'cancelled') {
      row.error = start.error;
      row.completed = job.created;
    }
    const parents = [...job.parentIds, ...job.parentRefs.map((ref) => ids[ref])];
    dependencies.link(row.id, parents);
    for (const parent of parents) {
      const status = host.row(parent)!.status;
      if (PARENT_ENDED.includes(status)) dependencies.countedAlready(parent, row.id);
    }
  });
  for (const id of new Set(jobs.flatMap((job) => job.parentIds))) host.row(id)!.has_children = true;
  let batchId: number | null = null;
  if (flow.batch) {
    const members = ids.slice(0, -1);
    batchId = dependencies.addBatch(jobs[0].service, ids[ids.length - 1], members, jobs[0].created);
    for (const id of ids) host.row(id)!.batch_id = batchId;
    for (const record of records) record.batchId = batchId;
  }
  return { jobs: records, batchId };
}
