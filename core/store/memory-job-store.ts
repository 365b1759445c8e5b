import { type JobRecord, type JobStatus, type Schedule } from '../jobs/job.js';
import type {
  AppliedOutcome,
  CancelListener,
  ClaimOptions,
  JobOutcome,
  JobPage,
  JobQuery,
  JobStore,
  NewJob,
  WakeListener,
} from './job-store.js';
import { decodeCursor, encodeCursor, pageSize, parseSort, type Position, type Sort } from './job-listing.js';
import { MinHeap } from './min-heap.js';
import { LOST_WORKER_ERROR, NEVER_DUE, zeroCounts } from './store-rules.js';
import { LocalLocks } from './local-locks.js';
import { WakeHub } from './wake-hub.js';
import { CancelHub } from './cancel-hub.js';

/**
 * A job as the memory store keeps it. JSON values are kept as text, as the durable stores keep
 * them, so a caller mutating a returned record (or the input it inserted) never changes the store.
 */
interface StoredJob extends Omit<JobRecord, 'input' | 'result' | 'schedule'> {
  input: string;
  result: string | null;
  schedule: string | null;
  /** The runAt of this job's live entry in its service's due heap, or null when it has none. */
  dueAt: number | null;
  /** Bumped whenever the job's heap entry changes: older entries are stale and skipped. */
  dueStamp: number;
}

interface DueEntry {
  runAt: number;
  id: number;
  stamp: number;
}

interface ServiceJobs {
  ids: Set<number>;
  due: MinHeap<DueEntry>;
  /** How many heap entries are live; the rest are stale and are dropped lazily. */
  liveEntries: number;
}

/**
 * Jobs in a Map, for unit tests and throwaway runs. Each service keeps a min-heap of its claimable
 * jobs ordered by (runAt, id), so claiming from tens of thousands of jobs stays O(log n) per job.
 * Every method runs synchronously inside its promise, which makes each one atomic.
 */
export class MemoryJobStore implements JobStore {
  readonly kind = 'memory';
  private readonly jobs = new Map<number, StoredJob>();
  private readonly services = new Map<string, ServiceJobs>();
  private readonly leased = new Set<number>();
  private readonly wakes = new WakeHub();
  private readonly locks = new LocalLocks();
  private readonly cancels = new CancelHub();
  private lastId = 0;

  async open(): Promise<void> {}

  async close(): Promise<void> {
    this.wakes.clear();
    this.cancels.clear();
  }

  async insert(job: NewJob): Promise<JobRecord> {
    return this.insertAll([job])[0];
  }

  async insertMany(jobs: NewJob[]): Promise<JobRecord[]> {
    return this.insertAll(jobs);
  }

  async get(id: number): Promise<JobRecord | undefined> {
    const job = this.jobs.get(id);
    return job && toRecord(job);
  }

  async list(query: JobQuery): Promise<JobPage> {
    const sort = parseSort(query.sort);
    const limit = pageSize(query.limit);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sort);
    const statuses = query.status && query.status.length > 0 ? new Set(query.status) : undefined;
    const candidates =
      query.service === undefined ? this.jobs.values() : this.jobIdsOf(query.service).map((id) => this.jobs.get(id)!);
    const matches: StoredJob[] = [];
    for (const job of candidates) {
      if (statuses && !statuses.has(job.status)) continue;
      if (query.task !== undefined && job.task !== query.task) continue;
      if (after && comparePositions(sort, positionOf(sort, job), after) <= 0) continue;
      matches.push(job);
    }
    matches.sort((a, b) => comparePositions(sort, positionOf(sort, a), positionOf(sort, b)));
    const page = matches.slice(0, limit);
    const last = page[page.length - 1];
    return {
      jobs: page.map(toRecord),
      nextCursor: matches.length > limit ? encodeCursor(sort, positionOf(sort, last)) : null,
    };
  }

  async countByStatus(service?: string): Promise<Record<JobStatus, number>> {
    const counts = zeroCounts();
    const jobs = service === undefined ? this.jobs.values() : this.jobIdsOf(service).map((id) => this.jobs.get(id)!);
    for (const job of jobs) counts[job.status] += 1;
    return counts;
  }

  async hasWaiting(service: string, now: number): Promise<boolean> {
    const next = this.peekDue(service);
    return next !== undefined && next.runAt <= now;
  }

  async nextRunAt(service: string): Promise<number | null> {
    return this.peekDue(service)?.runAt ?? null;
  }

  async claim(options: ClaimOptions): Promise<JobRecord[]> {
    const { service, now, workerId, leaseMs, jobId, nextRunAt } = options;
    const limit = Math.floor(options.limit ?? 1);
    const picked: StoredJob[] = [];
    if (jobId !== undefined) {
      const job = this.jobs.get(jobId);
      if (job && job.service === service && isClaimable(job) && job.runAt <= now && limit >= 1) picked.push(job);
    } else {
      const due = this.services.get(service)?.due;
      while (due && picked.length < limit) {
        const entry = this.peekDue(service);
        if (!entry || entry.runAt > now) break;
        due.pop();
        picked.push(this.jobs.get(entry.id)!);
      }
    }
    // Compute every cron job's next occurrence before changing anything: a schedule that throws
    // leaves the store as it was, with the popped heap entries pushed back.
    let nextRuns: (number | null)[];
    try {
      nextRuns = picked.map((job) =>
        job.status === 'cronjob' ? (job.schedule === null ? null : nextRunAt(JSON.parse(job.schedule) as Schedule, now)) : null,
      );
    } catch (error) {
      for (const job of picked) this.requeueEntry(job);
      throw error;
    }
    picked.forEach((job, index) => {
      job.attempts += 1;
      job.started = now;
      job.lockedBy = workerId;
      job.lockedUntil = now + leaseMs;
      job.progress = null;
      job.progressMessage = null;
      if (job.status === 'cronjob') job.runAt = nextRuns[index] ?? NEVER_DUE;
      else job.status = 'processing';
      this.refresh(job);
    });
    return picked.map(toRecord);
  }

  async renewLeases(ids: number[], workerId: string, until: number): Promise<number[]> {
    const held: number[] = [];
    for (const id of ids) {
      const job = this.jobs.get(id);
      if (!job || !isHeldBy(job, workerId)) continue;
      job.lockedUntil = until;
      held.push(id);
    }
    return held;
  }

  async cancelRequestedAmong(ids: number[]): Promise<number[]> {
    return ids.filter((id) => this.jobs.get(id)?.cancelRequested === true);
  }

  async finish(outcomes: JobOutcome[]): Promise<AppliedOutcome[]> {
    const applied: AppliedOutcome[] = [];
    for (const outcome of outcomes) {
      const job = this.jobs.get(outcome.id);
      if (!job || !isHeldBy(job, outcome.workerId)) continue;
      applyOutcome(job, outcome);
      this.refresh(job);
      applied.push({ id: job.id, status: job.status });
    }
    return applied;
  }

  async recoverExpired(now: number): Promise<number> {
    let touched = 0;
    for (const id of [...this.leased]) {
      const job = this.jobs.get(id)!;
      if (job.lockedUntil !== null && job.lockedUntil > now) continue;
      recoverLease(job, now);
      this.refresh(job);
      touched += 1;
    }
    return touched;
  }

  async start(id: number, _now: number): Promise<boolean> {
    const job = this.jobs.get(id);
    if (!job || job.status !== 'start later') return false;
    job.status = 'queued';
    job.runAt = 0;
    this.refresh(job);
    return true;
  }

  async cancel(id: number, now: number): Promise<JobRecord | undefined> {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    if (cancelJob(job, now) === 'flagged') this.cancels.requested(job.id, job.service);
    this.refresh(job);
    return toRecord(job);
  }

  async cancelAll(service: string, now: number): Promise<number> {
    let touched = 0;
    for (const id of this.jobIdsOf(service)) {
      const job = this.jobs.get(id)!;
      const done = cancelJob(job, now);
      if (done !== false) touched += 1;
      if (done === 'flagged') this.cancels.requested(job.id, job.service);
      this.refresh(job);
    }
    return touched;
  }

  async reschedule(id: number, runAt: number, schedule?: Schedule): Promise<JobRecord | undefined> {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    job.runAt = runAt;
    if (schedule !== undefined) job.schedule = JSON.stringify(schedule);
    this.refresh(job);
    // refresh() wakes only when the due time moved; a new schedule is worth a look regardless.
    if (isClaimable(job)) this.wakes.wake(job.service);
    return toRecord(job);
  }

  async setProgress(id: number, workerId: string, progress: number, message: string | null): Promise<boolean> {
    const job = this.jobs.get(id);
    if (!job || !isHeldBy(job, workerId)) return false;
    job.progress = progress;
    job.progressMessage = message;
    return true;
  }

  async clean(service: string, statuses: JobStatus[]): Promise<number> {
    const doomed = new Set(statuses);
    const jobs = this.services.get(service);
    if (!jobs) return 0;
    let removed = 0;
    for (const id of [...jobs.ids]) {
      const job = this.jobs.get(id)!;
      if (!doomed.has(job.status)) continue;
      if (job.dueAt !== null) jobs.liveEntries -= 1;
      jobs.ids.delete(id);
      this.jobs.delete(id);
      this.leased.delete(id);
      removed += 1;
    }
    return removed;
  }

  onWake(service: string, listener: WakeListener): () => void {
    return this.wakes.subscribe(service, listener);
  }

  /** One process holds a memory or SQLite store, so a lock within the process is enough. */
  exclusively<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(name, fn);
  }

  onCancelRequested(listener: CancelListener): () => void {
    return this.cancels.subscribe(listener);
  }

  private insertAll(newJobs: NewJob[]): JobRecord[] {
    // Serialise everything first so that a value JSON cannot hold fails the whole batch.
    const prepared = newJobs.map((job) => ({
      job,
      input: JSON.stringify(job.input ?? null),
      schedule: job.schedule === null ? null : JSON.stringify(job.schedule),
    }));
    return prepared.map(({ job, input, schedule }) => {
      const stored: StoredJob = {
        id: ++this.lastId,
        service: job.service,
        task: job.task,
        input,
        status: job.status,
        result: null,
        error: null,
        errorStack: null,
        attempts: 0,
        maxAttempts: job.maxAttempts,
        created: job.created,
        started: null,
        completed: null,
        runAt: job.runAt,
        schedule,
        progress: null,
        progressMessage: null,
        timeout: job.timeout ?? null,
        lockedBy: null,
        lockedUntil: null,
        cancelRequested: false,
        dueAt: null,
        dueStamp: 0,
      };
      this.jobs.set(stored.id, stored);
      this.serviceJobs(stored.service).ids.add(stored.id);
      this.refresh(stored);
      return toRecord(stored);
    });
  }

  private serviceJobs(service: string): ServiceJobs {
    let jobs = this.services.get(service);
    if (!jobs) {
      jobs = { ids: new Set(), due: new MinHeap(compareDue), liveEntries: 0 };
      this.services.set(service, jobs);
    }
    return jobs;
  }

  private jobIdsOf(service: string): number[] {
    return [...(this.services.get(service)?.ids ?? [])];
  }

  /** Brings the lease set and the due heap in line with the job, and wakes its service when it waits. */
  private refresh(job: StoredJob): void {
    if (job.lockedBy === null) this.leased.delete(job.id);
    else this.leased.add(job.id);
    const jobs = this.serviceJobs(job.service);
    if (isClaimable(job)) {
      if (job.dueAt !== job.runAt) {
        if (job.dueAt === null) jobs.liveEntries += 1;
        this.pushEntry(jobs, job);
        this.wakes.wake(job.service);
      }
    } else if (job.dueAt !== null) {
      jobs.liveEntries -= 1;
      job.dueAt = null;
      job.dueStamp += 1;
    }
    if (jobs.due.size > 2 * jobs.liveEntries + 1024) this.compact(jobs);
  }

  /** Puts back the entry of a job popped by a claim that then failed. */
  private requeueEntry(job: StoredJob): void {
    const jobs = this.serviceJobs(job.service);
    jobs.due.push({ runAt: job.runAt, id: job.id, stamp: job.dueStamp });
  }

  private pushEntry(jobs: ServiceJobs, job: StoredJob): void {
    job.dueAt = job.runAt;
    job.dueStamp += 1;
    jobs.due.push({ runAt: job.runAt, id: job.id, stamp: job.dueStamp });
  }

  private compact(jobs: ServiceJobs): void {
    jobs.due = new MinHeap(compareDue);
    for (const id of jobs.ids) {
      const job = this.jobs.get(id)!;
      if (job.dueAt !== null) this.pushEntry(jobs, job);
    }
  }

  /** The service's earliest live heap entry, dropping stale ones on the way. */
  private peekDue(service: string): DueEntry | undefined {
    const due = this.services.get(service)?.due;
    if (!due) return undefined;
    for (let entry = due.peek(); entry !== undefined; entry = due.peek()) {
      if (this.jobs.get(entry.id)?.dueStamp === entry.stamp) return entry;
      due.pop();
    }
    return undefined;
  }
}

function isClaimable(job: StoredJob): boolean {
  return (job.status === 'queued' || job.status === 'delayed' || job.status === 'cronjob') && job.lockedBy === null;
}

function isHeldBy(job: StoredJob, workerId: string): boolean {
  return job.lockedBy === workerId && (job.status === 'processing' || job.status === 'cronjob');
}

/**
 * The outcome rules, shared in spirit with the SQL of the other stores. A cancel requested while
 * the job ran wins over any outcome that would make it wait again (retry, release, a cron job's
 * next occurrence): the job ends `cancelled` instead.
 */
function applyOutcome(job: StoredJob, outcome: JobOutcome): void {
  const cron = job.status === 'cronjob';
  const now = outcome.now;
  job.lockedBy = null;
  job.lockedUntil = null;
  switch (outcome.kind) {
    case 'completed':
      job.result = outcome.result === undefined || outcome.result === null ? null : JSON.stringify(outcome.result);
      job.error = null;
      job.errorStack = null;
      job.completed = now;
      if (cron) {
        job.attempts = 0;
        job.status = job.cancelRequested ? 'cancelled' : 'cronjob';
      } else job.status = 'completed';
      return;
    case 'failed':
      job.error = outcome.error;
      job.errorStack = outcome.errorStack;
      job.completed = now;
      if (cron) {
        job.attempts = 0;
        job.status = job.cancelRequested ? 'cancelled' : 'cronjob';
      } else job.status = 'error';
      return;
    case 'retry':
      job.error = outcome.error;
      job.errorStack = outcome.errorStack;
      if (job.cancelRequested) {
        job.status = 'cancelled';
        job.completed = now;
      } else if (cron) {
        // Retry sooner, but never skip the occurrence the claim already scheduled.
        job.runAt = Math.min(job.runAt, outcome.runAt);
      } else {
        job.status = 'queued';
        job.runAt = outcome.runAt;
      }
      return;
    case 'cancelled':
      job.status = 'cancelled';
      job.completed = now;
      job.error = outcome.error;
      job.errorStack = null;
      return;
    case 'released':
      job.attempts = Math.max(0, job.attempts - 1);
      if (job.cancelRequested) {
        job.status = 'cancelled';
        job.completed = now;
      } else if (cron) {
        job.runAt = now;
      } else {
        job.status = 'queued';
        job.runAt = 0;
      }
      return;
  }
}

function recoverLease(job: StoredJob, now: number): void {
  const cron = job.status === 'cronjob';
  job.lockedBy = null;
  job.lockedUntil = null;
  if (job.cancelRequested && (cron || job.status === 'processing')) {
    job.status = 'cancelled';
    job.completed = now;
  } else if (job.status === 'processing') {
    if (job.attempts < job.maxAttempts) {
      job.status = 'queued';
      job.runAt = 0;
    } else {
      job.status = 'error';
      job.error = LOST_WORKER_ERROR;
      job.errorStack = null;
      job.completed = now;
    }
  }
}

/**
 * Cancels a waiting job or flags a running one. Returns `'flagged'` when a running job newly got
 * its cancel request, `'cancelled'` for a waiting job cancelled outright, `'requested'` for a
 * running job already flagged, and false when it did nothing (a final job).
 */
function cancelJob(job: StoredJob, now: number): 'flagged' | 'requested' | 'cancelled' | false {
  const running = job.status === 'processing' || (job.status === 'cronjob' && job.lockedBy !== null);
  if (running) {
    if (job.cancelRequested) return 'requested';
    job.cancelRequested = true;
    return 'flagged';
  }
  if (job.status === 'queued' || job.status === 'start later' || job.status === 'delayed' || job.status === 'cronjob') {
    job.status = 'cancelled';
    job.completed = now;
    return 'cancelled';
  }
  return false;
}

function toRecord(job: StoredJob): JobRecord {
  return {
    id: job.id,
    service: job.service,
    task: job.task,
    input: JSON.parse(job.input),
    status: job.status,
    result: job.result === null ? null : JSON.parse(job.result),
    error: job.error,
    errorStack: job.errorStack,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    created: job.created,
    started: job.started,
    completed: job.completed,
    runAt: job.runAt,
    schedule: job.schedule === null ? null : (JSON.parse(job.schedule) as Schedule),
    progress: job.progress,
    progressMessage: job.progressMessage,
    timeout: job.timeout,
    lockedBy: job.lockedBy,
    lockedUntil: job.lockedUntil,
    cancelRequested: job.cancelRequested,
  };
}

function compareDue(a: DueEntry, b: DueEntry): number {
  return a.runAt - b.runAt || a.id - b.id;
}

function positionOf(sort: Sort, job: StoredJob): Position {
  return { value: job[sort.key], id: job.id };
}

function comparePositions(sort: Sort, a: Position, b: Position): number {
  const order = compareValues(a.value, b.value) || a.id - b.id;
  return sort.descending ? -order : order;
}

function compareValues(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

