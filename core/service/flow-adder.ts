import type { JobRecord } from '../jobs/job.js';
import { checkedPriority } from '../jobs/checked-priority.js';
import { checkedTimeout } from '../jobs/checked-timeout.js';
import type { BatchRecord, NewFlowJob } from '../store/job-flows.js';
import type { JobStore } from '../store/job-store.js';
import type { Task } from '../tasks/task.js';
import { validateTaskInput } from '../tasks/task-schemas.js';
import { InvalidInputError } from './errors.js';
import {
  FlowOptionsError,
  MAX_FLOW_JOBS,
  MAX_PARENTS,
  checkedOnParentFailure,
  checkedParentIds,
  type AddedBatch,
  type AddedFlowJob,
  type BatchJobSpec,
  type BatchSpec,
  type FlowJobSpec,
  type FlowSpec,
} from './flow-options.js';

export interface FlowAdderDeps {
  address: string;
  store: JobStore;
  clock: () => number;
  /** The task of that name; throws UnknownTaskError. */
  task(name: string): Task;
  maxAttempts: number;
  added(record: JobRecord): void;
  /** The gate (a limit) a job of the task with that input passes, from the service's limits (see limit-options.ts). */
  gate(task: string, input: unknown): string | null;
}

/**
 * Adds jobs that wait for others: one job `after` stored ones, a flow (many, waiting for each
 * other), a batch (many, and a callback after all). Everything is checked before the store's one
 * transaction: a bad job, an unknown name or task rejects the whole, and nothing is added.
 */
export class FlowAdder {
  constructor(private readonly deps: FlowAdderDeps) {}

  /** `add(task, input, { after })`. */
  async addAfter(spec: FlowJobSpec): Promise<JobRecord> {
    const [job] = await this.insert([this.flowJob(spec, '', new Map())], false);
    return job;
  }

  async addFlow(flow: FlowSpec): Promise<AddedFlowJob[]> {
    const jobs = this.checkedList(flow?.jobs, 'the flow');
    const names = new Map<string, number>();
    const flowJobs = jobs.map((spec, index) => {
      const job = this.flowJob(spec, `/jobs/${index}`, names);
      if (spec.name !== undefined) {
        if (typeof spec.name !== 'string' || spec.name.length === 0 || spec.name.length > 200) {
          throw new FlowOptionsError(`/jobs/${index}/name must be a string of 1 to 200 characters; got ${JSON.stringify(spec.name)?.slice(0, 80)}`);
        }
        if (names.has(spec.name)) throw new FlowOptionsError(`/jobs/${index}/name "${spec.name}" is taken by job ${names.get(spec.name)} of the flow: names are unique within a flow`);
        names.set(spec.name, index);
      }
      return job;
    });
    const records = await this.insert(flowJobs, false);
    return records.map((record, index) => ({ id: record.id, name: jobs[index].name ?? null, task: record.task, status: record.status }));
  }

  async addBatch(batch: BatchSpec): Promise<AddedBatch> {
    const members = this.checkedList(batch?.jobs, 'the batch');
    if (members.length >= MAX_FLOW_JOBS) throw new FlowOptionsError(`the batch has ${members.length} jobs; a batch holds at most ${MAX_FLOW_JOBS - 1} (and its callback)`);
    if (batch.callback === undefined || batch.callback === null || typeof batch.callback !== 'object') {
      throw new FlowOptionsError('a batch needs a callback: { task, input } of the job to run once every job of the batch ended');
    }
    const jobs = [
      ...members.map((spec, index) => this.newJob(spec, `/jobs/${index}`, [], [], 'cancel')),
      this.newJob(batch.callback, '/callback', [], members.map((_, index) => index), 'run'),
    ];
    const { jobs: records, batchId } = await this.deps.store.insertFlow({ jobs, batch: true });
    for (const record of records) this.deps.added(record);
    return { batchId: batchId!, callbackId: records[records.length - 1].id, ids: records.slice(0, -1).map((record) => record.id) };
  }

  /** The batch, when it is one of this service's. */
  async getBatch(id: number): Promise<BatchRecord | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const batch = await this.deps.store.getBatch(id);
    return batch?.service === this.deps.address ? batch : undefined;
  }

  private async insert(jobs: NewFlowJob[], batch: boolean): Promise<JobRecord[]> {
    const { jobs: records } = await this.deps.store.insertFlow({ jobs, batch });
    for (const record of records) this.deps.added(record);
    return records;
  }

  private checkedList<T>(jobs: T[] | undefined, what: string): T[] {
    if (!Array.isArray(jobs) || jobs.length === 0) throw new FlowOptionsError(`${what} needs jobs: a non-empty list of { task, input }`);
    if (jobs.length > MAX_FLOW_JOBS) throw new FlowOptionsError(`${what} has ${jobs.length} jobs; one holds at most ${MAX_FLOW_JOBS}`);
    return jobs;
  }

  /** A job of a flow, its `after` split into stored ids and earlier names (`names`: those seen so far). */
  private flowJob(spec: FlowJobSpec, path: string, names: ReadonlyMap<string, number>): NewFlowJob {
    const after = spec.after ?? [];
    if (!Array.isArray(after)) throw new FlowOptionsError(`${path}/after must be a list of job ids and names of earlier jobs of the flow`);
    if (after.length > MAX_PARENTS) throw new FlowOptionsError(`${path}/after names ${after.length} jobs; a job waits for at most ${MAX_PARENTS}`);
    const refs: number[] = [];
    const ids: unknown[] = [];
    for (const parent of after) {
      if (typeof parent !== 'string') {
        ids.push(parent);
        continue;
      }
      const ref = names.get(parent);
      if (ref === undefined) {
        throw new FlowOptionsError(`${path}/after names "${parent}", which no earlier job of the flow is called: list a job after the jobs it waits for`);
      }
      if (!refs.includes(ref)) refs.push(ref);
    }
    return this.newJob(spec, path, checkedParentIds(ids, path ? `${path}/after` : 'after'), refs, checkedOnParentFailure(spec.onParentFailure));
  }

  private newJob(spec: BatchJobSpec, path: string, parentIds: number[], parentRefs: number[], onParentFailure: NewFlowJob['onParentFailure']): NewFlowJob {
    if (spec === null || typeof spec !== 'object' || typeof spec.task !== 'string') {
      throw new FlowOptionsError(`${path || 'the job'} must be { task, input }; got ${JSON.stringify(spec)?.slice(0, 80)}`);
    }
    const task = this.deps.task(spec.task);
    const problems = validateTaskInput(task, spec.input ?? null);
    if (problems.length > 0) throw new InvalidInputError(spec.task, problems.map((problem) => ({ ...problem, path: `${path}/input${problem.path}` })));
    return {
      service: this.deps.address,
      task: spec.task,
      input: spec.input ?? null,
      status: 'queued',
      maxAttempts: task.maxAttempts ?? this.deps.maxAttempts,
      created: this.deps.clock(),
      runAt: 0,
      schedule: null,
      timeout: checkedTimeout(spec.timeout),
      priority: checkedPriority(spec.priority),
      parentIds,
      parentRefs,
      onParentFailure,
      // A job of a flow runs under its task's limit as any other.
      gate: this.deps.gate(spec.task, spec.input ?? null),
    };
  }
}
