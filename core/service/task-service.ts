import type { JobAttempt } from '../jobs/job-attempt.js';
import type { Logger } from 'winston';
import { FINAL_STATUSES, RETRYABLE_STATUSES, isDelaySchedule, type RetryableStatus, type JobRecord, type JobStatus, type Schedule } from '../jobs/job.js';
import { checkedTimeout } from '../jobs/checked-timeout.js';
import { checkedPriority } from '../jobs/checked-priority.js';
import { nextRunAt } from '../jobs/time-of-next-call.js';
import { validateSchedule } from '../jobs/validate-schedule.js';
import type { Site } from '../registry/site.js';
import type { JobStore, KeyedInsert, NewJob } from '../store/job-store.js';
import { jobWriter } from './job-writer.js';
import { checkedKey, KeyOptionsError, type KeyOptions } from './key-options.js';
import { checkedLimits, checkedQueue, gateOf } from './limit-options.js';
import type { LimitSet } from '../store/gate-rules.js';
import type { HeldBy } from '../store/job-store.js';
import { type Task, TaskToken } from '../tasks/task.js';
import { validateTaskInput } from '../tasks/task-schemas.js';
import { InvalidInputError, JobStateError, UnknownJobError, UnknownTaskError } from './errors.js';
import type { JobEventBus } from './job-events.js';
import { JobsView } from './jobs-view.js';
import type { ServiceOptions } from './service-options.js';
import type { Processor } from './worker/processor.js';
import { ServiceWorker } from './worker/service-worker.js';
import { FlowAdder } from './flow-adder.js';
import { FlowOptionsError, type AddedBatch, type AddedFlowJob, type BatchSpec, type DependencyOptions, type FlowSpec } from './flow-options.js';
import type { BatchRecord, RelatedJob } from '../store/job-flows.js';

export interface TaskServiceDeps {
  site: Site;
  name: string;
  store: JobStore;
  events: JobEventBus;
  logger: Logger;
  options: ServiceOptions;
  /** The time in milliseconds; tests pass a fake clock. */
  clock: () => number;
  /** Identifies this process to the store's leases. */
  workerId: string;
}

export interface AddOptions extends KeyOptions, DependencyOptions {
  /** Wait in `start later` until `startJob(id)`. */
  startLater?: boolean;
  /** A time limit for each run of this job (ms), over the task's and the service's. */
  timeout?: number;
  /** Lower runs first (graphile-worker's and Oban's convention), 0 by default; from -32768 to 32767. */
  priority?: number;
  /**
   * PostgreSQL: the host application's own `pg` Client or PoolClient. The job is written in its
   * open transaction: it exists, runs and is announced only once that commits; a rollback leaves
   * no job. The id returned names a job nobody else sees before the commit.
   */
  client?: unknown;
  /** A serial queue: its jobs run one at a time, in the order added, across every process. */
  queue?: string;
}

/** What a cron or delayed job may be added with besides its schedule. */
export type CronJobOptions = Pick<AddOptions, 'priority' | 'client'> & KeyOptions;

/** The seed's `now` arguments are seconds since the epoch; the store works in milliseconds. */
const toMs = (seconds: number) => Math.round(seconds * 1000);

/** A cron job overdue by more than this when processing starts missed its occurrence. */
const MISSED_AFTER_MS = 60_000;

/**
 * A task service: the seed's ITaskService. It queues jobs for the tasks visible from its site,
 * keeps their status, result and error in the job store, and runs them in its own processor loop.
 */
export class TaskService {
  readonly name: string;
  readonly site: Site;
  /** `site@Service`, `@Service` for the root site. */
  readonly address: string;
  readonly options: ServiceOptions;
  /** A paged, read-only view of the service's jobs. */
  readonly jobs: JobsView;
  readonly #deps: TaskServiceDeps;
  /** The worker side: runs, records and keeps the leases of this service's jobs. */
  readonly #worker: ServiceWorker;
  /** Jobs that wait for others: `after`, flows, batches. */
  readonly #flows: FlowAdder;
  #pausedEverywhere = false;
  #draining = false;
  /** The service's limits, checked, their windows in ms (see core/store/gate-rules.ts). */
  readonly limits: LimitSet | undefined;

  constructor(deps: TaskServiceDeps) {
    this.#deps = deps;
    this.name = deps.name;
    this.site = deps.site;
    this.options = deps.options;
    this.limits = checkedLimits(deps.options.limits);
    this.address = `${deps.site.name}@${deps.name}`;
    this.jobs = new JobsView(this.address, deps.store, (jobId) => this.getJob(jobId));
    const { store, workerId, logger, events, options, clock } = deps;
    this.#worker = new ServiceWorker({ service: this, store, workerId, logger, events, options, clock });
    this.#flows = new FlowAdder({
      address: this.address, store, clock, task: (name) => this.#taskNamed(name), maxAttempts: options.maxAttempts, added: (record) => this.#emitAdded(record),
      gate: (task, input) => gateOf(task, input, undefined, this.limits),
    });
  }

  /** The seed's thread name for this service's processor. */
  get processorName(): string {
    return this.site.isRoot ? `remotetasks.${this.name}` : `remotetasks.${this.site.name}.${this.name}`;
  }

  // --- tasks ---------------------------------------------------------------------------------

  /** The tasks this service can run: its site's and the root's, by name. */
  async getAvailableTasks(): Promise<Record<string, Task>> {
    return Object.fromEntries(this.taskNames().map((name) => [name, this.getTask(name)!]));
  }

  taskNames(): string[] {
    return this.site.visibleNames(TaskToken);
  }

  getTask(name: string): Task | undefined {
    return this.site.lookup<Task>(TaskToken, name);
  }

  // --- adding jobs ---------------------------------------------------------------------------

  /**
   * Queues a job for `task` and returns its id. With `startLater` the job waits in `start later`
   * until `startJob(id)`. Unknown tasks and input failing the task's schema are rejected before
   * anything is stored.
   */
  async add(task: string, input: unknown = null, options: AddOptions = {}): Promise<number> {
    return (await this.addJob(task, input, options)).id;
  }

  /**
   * Queues one job per input for `task` in one store write, and returns their ids in input order.
   * Every input is checked first: one bad input rejects the whole batch, and nothing is stored.
   */
  async addMany(task: string, inputs: unknown[], options: AddOptions = {}): Promise<number[]> {
    if (options.key !== undefined) throw new KeyOptionsError('addMany adds jobs without keys: add keyed jobs one by one with add');
    if (options.after !== undefined) throw new FlowOptionsError('addMany adds jobs that wait for nothing: use addFlow, or addBatch');
    const found = this.#taskNamed(task);
    inputs.forEach((input, index) => {
      const problems = validateTaskInput(found, input ?? null);
      if (problems.length > 0) {
        throw new InvalidInputError(task, problems.map((problem) => ({ ...problem, path: `/${index}${problem.path}` })));
      }
    });
    const created = this.#deps.clock();
    const timeout = checkedTimeout(options.timeout);
    const priority = checkedPriority(options.priority);
    const queue = checkedQueue(options.queue);
    const gates = inputs.map((input) => gateOf(task, input ?? null, queue, this.limits));
    const writer = jobWriter(this.#deps.store, options.client);
    const records = await writer.insertMany(
      inputs.map((input, index) => ({
        service: this.address,
        task,
        input: input ?? null,
        status: options.startLater ? ('start later' as const) : ('queued' as const),
        maxAttempts: found.maxAttempts ?? this.options.maxAttempts,
        created,
        runAt: 0,
        schedule: null,
        timeout,
        priority,
        gate: gates[index],
      })),
    );
    if (writer.committed) for (const record of records) this.#emitAdded(record);
    return records.map((record) => record.id);
  }

  /** `add`, answering with the stored job rather than its id (saves a read for the web service). */
  async addJob(task: string, input: unknown = null, options: AddOptions = {}): Promise<JobRecord> {
    return (await this.addOrFind(task, input, options)).job;
  }

  /**
   * `addJob`, saying what happened: `created`; or, for a key another job of the service holds,
   * `existing` (that job, unchanged: `onKeyTaken: 'keep'`) or `replaced` (that job with this input,
   * while it waits: `'replace'`).
   */
  async addOrFind(task: string, input: unknown = null, options: AddOptions = {}): Promise<KeyedInsert> {
    if (options.after !== undefined || options.onParentFailure !== undefined) {
      if (options.startLater || options.key !== undefined) throw new FlowOptionsError('a job added "after" others waits for them: it takes no startLater and no key');
      if (options.queue !== undefined) throw new FlowOptionsError('a job added "after" others takes no queue: its parents order it already');
      if (options.client !== undefined) throw new FlowOptionsError('a job added "after" others is written in the store\'s own transaction: add it without client');
      const { after = [], onParentFailure, priority, timeout } = options;
      return { job: await this.#flows.addAfter({ task, input, after, onParentFailure, priority, timeout }), outcome: 'created' };
    }
    const found = this.#checkedTask(task, input);
    return this.#insert({
      service: this.address,
      task,
      input: input ?? null,
      status: options.startLater ? 'start later' : 'queued',
      maxAttempts: found.maxAttempts ?? this.options.maxAttempts,
      created: this.#deps.clock(),
      runAt: 0,
      schedule: null,
      timeout: checkedTimeout(options.timeout),
      priority: checkedPriority(options.priority),
      gate: gateOf(task, input ?? null, checkedQueue(options.queue), this.limits),
    }, options);
  }

  /**
   * Adds a cron job (field lists or a cron expression: status `cronjob`, runs at every matching
   * time and keeps its last result) or a delayed job (`{ delay }` seconds: status `delayed`,
   * runs once).
   */
  async addCronJob(task: string, input: unknown, schedule: Schedule, options: CronJobOptions = {}): Promise<number> {
    return (await this.addCronJobOrFind(task, input, schedule, options)).job.id;
  }

  /** `addCronJob`, saying what happened, as `addOrFind` does: a keyed cron job is added once. */
  async addCronJobOrFind(task: string, input: unknown, schedule: Schedule, options: CronJobOptions = {}): Promise<KeyedInsert> {
    const found = this.#checkedTask(task, input);
    const valid = validateSchedule(schedule);
    const now = this.#deps.clock();
    const runAt = nextRunAt(valid, now);
    return this.#insert({
      service: this.address,
      task,
      input: input ?? null,
      status: isDelaySchedule(valid) ? 'delayed' : 'cronjob',
      maxAttempts: found.maxAttempts ?? this.options.maxAttempts,
      created: now,
      runAt: runAt ?? Number.MAX_SAFE_INTEGER,
      schedule: valid,
      priority: checkedPriority(options.priority),
      // A cron job runs under its task's limit; it names no queue (its occurrences would block it).
      gate: gateOf(task, input ?? null, undefined, this.limits),
    }, options);
  }

  /** Inserts one job, through the key's holder check when it has a key; `added` only for a new job. */
  async #insert(job: NewJob, options: KeyOptions & { client?: unknown }): Promise<KeyedInsert> {
    const key = checkedKey(options);
    const writer = jobWriter(this.#deps.store, options.client);
    const inserted = key
      ? await writer.insertKeyed({ ...job, key: key.key, keyScope: key.keyScope, keyPeriodMs: key.keyPeriodMs }, key.onKeyTaken, this.#deps.clock())
      : { job: await writer.insert(job), outcome: 'created' as const };
    if (inserted.outcome === 'created' && writer.committed) this.#emitAdded(inserted.job);
    return inserted;
  }

  #taskNamed(name: string): Task {
    const task = this.getTask(name);
    if (!task) throw new UnknownTaskError(name, this.taskNames(), this.address);
    return task;
  }

  #checkedTask(name: string, input: unknown): Task {
    const task = this.#taskNamed(name);
    const problems = validateTaskInput(task, input ?? null);
    if (problems.length > 0) throw new InvalidInputError(name, problems);
    return task;
  }

  #emitAdded(record: JobRecord): void {
    this.#deps.events.emit({
      type: 'added', service: this.address, jobId: record.id, task: record.task, status: record.status, time: record.created,
    });
  }

  /**
   * Adds a flow in one store transaction: jobs listed after the jobs they wait for, each naming
   * them in `after` by id (stored jobs) or by the `name` of an earlier job of the flow. Returns
   * the jobs added, in order. See docs/flows-and-batches.md.
   */
  addFlow(flow: FlowSpec): Promise<AddedFlowJob[]> {
    return this.#flows.addFlow(flow);
  }

  /** Adds a batch: its jobs and a callback that runs once after all ended (`context.batch()` has the counts). */
  addBatch(batch: BatchSpec): Promise<AddedBatch> {
    return this.#flows.addBatch(batch);
  }

  /** A batch of this service with its counts, or undefined. */
  getBatch(batchId: number): Promise<BatchRecord | undefined> {
    return this.#flows.getBatch(batchId);
  }

  /** The jobs the job waits (or waited) for, and those that wait for it: at most `limit` of each. */
  async relatedJobs(jobId: number, limit = 100): Promise<{ parents: RelatedJob[]; children: RelatedJob[] }> {
    await this.getJob(jobId);
    const [parents, children] = await Promise.all([this.#deps.store.parentsOf(jobId, limit), this.#deps.store.childrenOf(jobId, limit)]);
    return { parents, children };
  }

  // --- managing jobs -------------------------------------------------------------------------

  /** Starts a job added with `startLater`. */
  async startJob(jobId: number): Promise<void> {
    const job = await this.getJob(jobId);
    if (!(await this.#deps.store.start(jobId, this.#deps.clock()))) {
      throw new JobStateError(jobId, job.status, `job ${jobId} is ${job.status}; only a job in "start later" can be started`);
    }
  }

  /** Changes the priority of a job that waits (queued, start later, delayed, or a cron job not running). */
  async setPriority(jobId: number, priority: number): Promise<JobRecord> {
    const job = await this.getJob(jobId);
    const changed = await this.#deps.store.setPriority(jobId, checkedPriority(priority));
    if (!changed) {
      throw new JobStateError(jobId, job.status, `job ${jobId} is ${job.status === 'cronjob' ? 'running' : job.status}; only a waiting job's priority can change`);
    }
    return changed;
  }

  /** Computes a cron or delayed job's next run from its schedule, as of `now` (seconds; default: the clock). */
  async reschedule(jobId: number, now?: number): Promise<void> {
    const job = await this.getJob(jobId);
    if (!job.schedule || (job.status !== 'cronjob' && job.status !== 'delayed')) {
      throw new JobStateError(jobId, job.status, `job ${jobId} is ${job.status}; only cron and delayed jobs can be rescheduled`);
    }
    const at = nextRunAt(job.schedule, now === undefined ? this.#deps.clock() : toMs(now));
    await this.#deps.store.reschedule(jobId, at ?? Number.MAX_SAFE_INTEGER);
  }

  /** Replaces a cron job's schedule and reschedules it (the seed's `job.update(...)` + `reschedule`). */
  async updateCronJob(jobId: number, schedule: Schedule, now?: number): Promise<void> {
    const job = await this.getJob(jobId);
    if (job.status !== 'cronjob' && job.status !== 'delayed') {
      throw new JobStateError(jobId, job.status, `job ${jobId} is ${job.status}; only cron and delayed jobs have a schedule`);
    }
    const valid = validateSchedule(schedule);
    if (isDelaySchedule(valid) !== (job.status === 'delayed')) {
      throw new JobStateError(
        jobId,
        job.status,
        job.status === 'delayed'
          ? `job ${jobId} is a delayed job; give it a new { delay }`
          : `job ${jobId} is a cron job; give it field lists or a cron expression, not a delay`,
      );
    }
    const at = nextRunAt(valid, now === undefined ? this.#deps.clock() : toMs(now));
    await this.#deps.store.reschedule(jobId, at ?? Number.MAX_SAFE_INTEGER, valid);
  }

  /**
   * Cancels a job. A waiting job is `cancelled` at once; a running one is asked to stop (the store
   * tells the worker running it, here or in another process: its signal aborts) and ends
   * `cancelled` when its task returns. Returns the status after the call.
   */
  async cancel(jobId: number): Promise<JobStatus> {
    const before = await this.getJob(jobId);
    const now = this.#deps.clock();
    const job = await this.#deps.store.cancel(jobId, now);
    if (!job) throw new UnknownJobError(jobId, this.address);
    if (!job.cancelRequested && job.status === 'cancelled' && before.status !== 'cancelled') {
      this.#deps.events.emit({ type: 'cancelled', service: this.address, jobId, task: job.task, status: 'cancelled', time: now });
    }
    return job.status;
  }

  /** Cancels every waiting job and asks every running one to stop (as `cancel` does); returns how many. */
  async cancelAll(): Promise<number> {
    const now = this.#deps.clock();
    const touched = await this.#deps.store.cancelAll(this.address, now);
    // The running ones say `cancelled` when their runs end; these ended now.
    for (const job of touched) {
      if (job.cancelled) this.#deps.events.emit({ type: 'cancelled', service: this.address, jobId: job.id, task: job.task, status: 'cancelled', time: now });
    }
    return touched.length;
  }

  /**
   * Puts a job that ended `error` or `cancelled` back in the queue, attempts counted afresh
   * (a cron job is not retried: it keeps its schedule). Returns the status after the call.
   * A keyed job whose key another job took meanwhile is not retried: KeyTakenError (REST 409).
   */
  async retry(jobId: number): Promise<JobStatus> {
    const before = await this.getJob(jobId);
    const job = await this.#deps.store.retry(jobId);
    if (!job) throw new UnknownJobError(jobId, this.address);
    if (job.status !== 'queued' || before.status === 'queued') {
      throw new JobStateError(jobId, job.status, `job ${jobId} is ${job.status}; only a failed (error) or cancelled job that is no cron job can be retried`);
    }
    return job.status;
  }

  /** Retries every failed job (or those in `status`: error, cancelled) of the service, of `task` when given; returns how many. */
  async retryAll(filter: { status?: readonly RetryableStatus[]; task?: string } = {}): Promise<number> {
    const wrong = (filter.status ?? []).filter((status) => !(RETRYABLE_STATUSES as readonly string[]).includes(status));
    if (wrong.length > 0) throw new Error(`retryAll retries only ${RETRYABLE_STATUSES.join(' or ')} jobs; not: ${wrong.join(', ')}`);
    return this.#deps.store.retryAll({ service: this.address, status: filter.status && [...filter.status], task: filter.task });
  }

  /** Removes jobs in final statuses (all three by default); refuses statuses that are not final. */
  async clean(statuses: readonly JobStatus[] = FINAL_STATUSES): Promise<number> {
    const notFinal = statuses.filter((status) => !FINAL_STATUSES.includes(status));
    if (notFinal.length > 0) {
      throw new Error(
        `clean removes only finished jobs (${FINAL_STATUSES.join(', ')}); not: ${notFinal.join(', ')}`,
      );
    }
    return this.#deps.store.clean(this.address, [...statuses]);
  }

  // --- reading jobs --------------------------------------------------------------------------

  async getJob(jobId: number): Promise<JobRecord> {
    const job = await this.#deps.store.get(jobId);
    if (!job || job.service !== this.address) throw new UnknownJobError(jobId, this.address);
    return job;
  }

  async getStatus(jobId: number): Promise<JobStatus> {
    return (await this.getJob(jobId)).status;
  }

  /** The job's result, or null while it has none (a cron job keeps its last run's). */
  async getResult(jobId: number): Promise<unknown> {
    return (await this.getJob(jobId)).result ?? null;
  }

  /** The job's last error message, or null. */
  async getError(jobId: number): Promise<string | null> {
    return (await this.getJob(jobId)).error;
  }

  /** The job's runs that ended, newest first, each with its worker, outcome, error and stack (the newest 25). */
  async getAttempts(jobId: number): Promise<JobAttempt[]> {
    await this.getJob(jobId);
    return this.#deps.store.listAttempts(jobId);
  }

  // --- processing ----------------------------------------------------------------------------

  /** Whether a job is due at `now` (seconds; default: the clock). */
  async hasJobsWaiting(now?: number): Promise<boolean> {
    return this.#deps.store.hasWaiting(this.address, this.#nowMs(now));
  }

  /** Claims the next due job for this process, or undefined. The caller must run or release it. */
  async claimNextJob(now?: number, jobId?: number): Promise<JobRecord | undefined> {
    const [job] = await this.#claim(1, this.#nowMs(now), jobId);
    return job;
  }

  /** Runs the next due job (or the given one, if due); returns whether a job ran. */
  async processNext(now?: number, jobId?: number): Promise<boolean> {
    const at = now === undefined ? undefined : toMs(now);
    const job = await this.claimNextJob(now, jobId);
    if (!job) return false;
    await this.#worker.run(job, at);
    return true;
  }

  /** Runs every job due at `now` (seconds; default: the clock), one after another; returns how many ran. */
  async process(now?: number): Promise<number> {
    let ran = 0;
    while (await this.processNext(now)) ran++;
    return ran;
  }

  /** Starts this service's processor loop. */
  startProcessing(): void {
    if (this.#worker.processor) return;
    // Missed occurrences move on before the first claim, or the processor would run them.
    let skipping: Promise<unknown> | undefined =
      this.options.missedCron === 'skip'
        ? this.skipMissedCronJobs().catch((error: Error) =>
            this.#deps.logger.warn(`${this.address}: skipping missed cron occurrences failed: ${error.message}`),
          )
        : undefined;
    const { processor, maxConcurrency } = this.options;
    this.#worker.startProcessing({
      name: this.processorName,
      concurrency: processor === 'multi' ? maxConcurrency : 1,
      claim: async (limit) => {
        if (skipping) {
          await skipping;
          skipping = undefined;
        }
        return this.#claim(limit, this.#deps.clock());
      },
      limits: this.limits,
    });
  }

  /**
   * Moves every cron job overdue by more than a minute (occurrences missed while no worker ran)
   * on to its next future occurrence, without running it. Returns how many moved.
   */
  async skipMissedCronJobs(now = this.#deps.clock()): Promise<number> {
    let moved = 0;
    for await (const job of this.jobs.iterate({ status: ['cronjob'] })) {
      if (job.lockedBy !== null || !job.schedule || job.runAt >= now - MISSED_AFTER_MS) continue;
      const next = nextRunAt(job.schedule, now) ?? Number.MAX_SAFE_INTEGER;
      await this.#deps.store.reschedule(job.id, next);
      this.#deps.logger.info(
        `cron job ${job.id} (task ${job.task}) missed its run at ${new Date(job.runAt).toISOString()}; skipped to ${new Date(next).toISOString()}`,
      );
      moved++;
    }
    return moved;
  }

  /**
   * Stops claiming jobs. Running jobs may finish within `stopTimeout`; then they are aborted and
   * handed back to the queue without spending an attempt. Resolves when the loop has ended.
   */
  stopProcessing(): Promise<void> {
    return this.#worker.stopProcessing();
  }

  /**
   * Applies a fleet-wide pause to this process (core/fleet/fleet-control.ts calls it when the
   * store says so): its processor claims nothing while paused. `stopProcessing` is the per-process stop.
   */
  setPausedEverywhere(paused: boolean): void {
    this.#pausedEverywhere = paused;
    this.#worker.setPaused(paused || this.#draining);
  }

  /** Applies a drain of this process (an operator's order through the registry): claim nothing, finish what runs. */
  setDraining(draining: boolean): void {
    this.#draining = draining;
    this.#worker.setPaused(this.#pausedEverywhere || draining);
  }

  /** Whether this process was told to drain (as it last heard). */
  get draining(): boolean {
    return this.#draining;
  }

  /**
   * Pauses the service for every process on the store (stored; each stops claiming when the store
   * tells it, running jobs finish). Resolves once stored; returns whether it was running before.
   */
  pauseEverywhere(): Promise<boolean> {
    return this.#deps.store.setServicePaused(this.address, true, this.#deps.clock());
  }

  /** Resumes the service for every process; returns whether it was paused. */
  resumeEverywhere(): Promise<boolean> {
    return this.#deps.store.setServicePaused(this.address, false, this.#deps.clock());
  }

  /** Whether the service is paused for the whole fleet (as this process last heard). */
  get pausedEverywhere(): boolean {
    return this.#pausedEverywhere;
  }

  isProcessing(): boolean {
    return this.#worker.processor !== undefined;
  }

  /** The running processor's name, or undefined when the service is not processing. */
  get processor(): Processor | undefined {
    return this.#worker.processor;
  }

  #claim(limit: number, now: number, jobId?: number): Promise<JobRecord[]> {
    return this.#deps.store.claim({
      service: this.address,
      now,
      workerId: this.#deps.workerId,
      leaseMs: this.options.leaseMs,
      limit,
      jobId,
      nextRunAt,
      limits: this.limits,
    });
  }

  /** Why a waiting job is held back by its limit or queue now; null when it is not (or not gated). */
  async heldBy(jobId: number): Promise<HeldBy | null> {
    return this.#deps.store.heldBy(jobId, this.#deps.clock(), this.limits);
  }

  #nowMs(now: number | undefined): number {
    return now === undefined ? this.#deps.clock() : toMs(now);
  }

  toString(): string {
    return `<TaskService ${this.address}>`;
  }
}
