import type { JobRecord, JobStatus, Schedule } from '../../jobs/job.js';
import type {
  AppliedOutcome,
  ClaimOptions,
  JobOutcome,
  JobPage,
  JobQuery,
  JobStore,
  KeyedInsert,
  NewJob,
  RetryQuery,
  OnKeyTaken,
  MinuteCompletions,
} from '../job-store.js';
import { comparePositions, decodeCursor, encodeCursor, pageSize, parseSort, type Position, type Sort } from '../keyset-paging.js';
import { insertedRow, parseJsonText, toJobRecord } from '../job-row.js';
import { NEVER_DUE, zeroCounts } from '../store-rules.js';
import { SingleProcessSignals } from '../single-process-signals.js';
import { retryJob } from './retry-job.js';
import { isRetryable, retryStatuses } from '../retry-rules.js';
import { KeyTakenError } from '../key-taken-error.js';
import { MemoryProcesses } from './memory-processes.js';
import { type ProcessBeat, type ProcessOrders, type ProcessRecord, processControlKey } from '../process-registry.js';
import { countCompletions } from './memory-completions.js';
import type { PausedService } from '../service-pauses.js';
import { isCancellable, isRunning } from '../status-sets.js';
import { REPLACEABLE_STATUSES, holdsKey, keyExpired } from '../key-rules.js';
import { DueQueues } from './due-queues.js';
import { nthNewest, retentionBatch } from './memory-retention.js';
import type { FinishedPosition, FinishedStatus, RetentionBatch, RetentionBatchResult } from '../retention-rules.js';
import { MemoryAttempts } from './memory-attempts.js';
import { attemptOf, lostAttempt } from '../attempt-rules.js';
import type { JobAttempt } from '../../jobs/job-attempt.js';
import { MemoryGates } from './memory-gates.js';
import type { CancelledJob, GatingOptions, HeldBy } from '../job-store.js';
import type { LimitSet } from '../gate-rules.js';
import { MemoryDependencies } from './memory-dependencies.js';
import { insertMemoryFlow } from './memory-flows.js';
import type { BatchRecord, FlowInsert, NewFlow, RelatedJob } from '../job-flows.js';
import { applyOutcome, cancelJob, isClaimable, isHeldBy, recoverLease, type MemoryRow } from './job-rules.js';

/** A job row as the memory store keeps it, with its place in its service's due heap. */
interface StoredJob extends MemoryRow {
  /** The runAt of this job's live entry in its service's due queues, or null when it has none. */
  dueAt: number | null;
  /** The priority it was queued under. */
  duePriority: number;
  /** Bumped whenever the job's heap entry changes: older entries are stale and skipped. */
  dueStamp: number;
}

interface ServiceJobs {
  ids: Set<number>;
  due: DueQueues;
  /** How many heap entries are live; the rest are stale and are dropped lazily. */
  liveEntries: number;
}

/**
 * Jobs in a Map, for unit tests and throwaway runs. Each service keeps its claimable jobs in a
 * min-heap by (runAt, id) per priority, so claiming from tens of thousands of jobs stays O(log n) per job.
 * Every method runs synchronously inside its promise, which makes each one atomic.
 */
export class MemoryJobStore extends SingleProcessSignals implements JobStore {
  readonly kind = 'memory';
  private readonly jobs = new Map<number, StoredJob>();
  private readonly services = new Map<string, ServiceJobs>();
  private readonly leased = new Set<number>();
  /** The ids of the jobs with each key, by `service key`: to find a key's holder without a scan. */
  private readonly keyed = new Map<string, Set<number>>();
  private lastId = 0;
  private readonly history = new MemoryAttempts();
  /** Jobs behind a limit or a serial queue: out of the due queues, picked by the gate rules. */
  private readonly gates = new MemoryGates();
  private readonly flows = new MemoryDependencies({
    row: (id) => this.jobs.get(id),
    changed: (job) => this.refresh(job as StoredJob),
    flowChanged: (change) => this.flowChanges.changed(change),
  });
  private readonly processes = new MemoryProcesses(() => [...this.leased].map((id) => this.jobs.get(id)!).filter(Boolean));

  async recordProcess(beat: ProcessBeat): Promise<ProcessOrders> {
    return this.processes.record(beat);
  }

  async setProcessDraining(id: string, draining: boolean): Promise<boolean> {
    const recorded = this.processes.setDraining(id, draining);
    if (recorded) this.controls.changed(processControlKey(id));
    return recorded;
  }

  async completionsPerMinute(service: string, since: number): Promise<MinuteCompletions[]> {
    const ids = this.services.get(service)?.ids ?? [];
    return countCompletions([...ids].map((id) => this.jobs.get(id)!).filter(Boolean), since);
  }

  async removeProcess(id: string): Promise<boolean> {
    return this.processes.remove(id);
  }

  async listProcesses(now: number): Promise<ProcessRecord[]> {
    return this.processes.list(now);
  }

  private readonly pauses = new Map<string, number>();

  async setServicePaused(service: string, paused: boolean, now: number): Promise<boolean> {
    if (paused === this.pauses.has(service)) return false;
    if (paused) this.pauses.set(service, now);
    else this.pauses.delete(service);
    this.controls.changed(service);
    return true;
  }

  async pausedServices(): Promise<PausedService[]> {
    return [...this.pauses].map(([service, since]) => ({ service, since })).sort((a, b) => (a.service < b.service ? -1 : 1));
  }

  async open(): Promise<void> {}

  async close(): Promise<void> {
    this.clearSignals();
  }

  async insert(job: NewJob): Promise<JobRecord> {
    return this.insertAll([withoutKey(job)])[0];
  }

  async insertMany(jobs: NewJob[]): Promise<JobRecord[]> {
    return this.insertAll(jobs.map(withoutKey));
  }

  async insertKeyed(job: NewJob & { key: string }, onKeyTaken: OnKeyTaken, now: number): Promise<KeyedInsert> {
    const holder = this.keyHolder(job.service, job.key, now);
    if (!holder) return { job: this.insertAll([job])[0], outcome: 'created' };
    if (onKeyTaken === 'replace' && (REPLACEABLE_STATUSES as readonly string[]).includes(holder.status) && holder.locked_by === null) {
      holder.input = JSON.stringify(job.input ?? null);
      if (job.schedule !== null) {
        holder.schedule = JSON.stringify(job.schedule);
        holder.run_at = job.runAt;
      }
      this.refresh(holder);
      return { job: toRecord(holder), outcome: 'replaced' };
    }
    return { job: toRecord(holder), outcome: 'existing' };
  }

  async insertFlow(flow: NewFlow): Promise<FlowInsert> {
    return insertMemoryFlow(flow, this.flows, {
      row: (id) => this.jobs.get(id),
      insert: (jobs, rows) => this.insertAll(jobs, rows),
    });
  }

  async parentsOf(id: number, limit?: number): Promise<RelatedJob[]> {
    return this.flows.parentsOf(id, limit);
  }

  async childrenOf(id: number, limit?: number): Promise<RelatedJob[]> {
    return this.flows.childrenOf(id, limit);
  }

  async getBatch(id: number): Promise<BatchRecord | undefined> {
    return this.flows.getBatch(id);
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
    return (next !== undefined && next.runAt <= now) || this.gates.hasDue(service, now);
  }

  async nextRunAt(service: string, gating?: GatingOptions): Promise<number | null> {
    const free = this.peekDue(service)?.runAt ?? null;
    const gated = this.gates.nextRunAt(service, gating?.now ?? Number.NEGATIVE_INFINITY, gating?.limits);
    return free === null ? gated : gated === null ? free : Math.min(free, gated);
  }

  async heldBy(id: number, now: number, limits?: LimitSet): Promise<HeldBy | null> {
    const job = this.jobs.get(id);
    return job?.gate == null ? null : this.gates.heldBy(job, now, limits);
  }

  async claim(options: ClaimOptions): Promise<JobRecord[]> {
    const { service, now, workerId, leaseMs, jobId, nextRunAt } = options;
    const limit = Math.floor(options.limit ?? 1);
    const tasks = options.tasks && new Set(options.tasks);
    const picked: StoredJob[] = [];
    if (jobId !== undefined) {
      const job = this.jobs.get(jobId);
      const passes = (found: StoredJob) => found.gate == null || this.gates.pickOne(found, now, options.limits);
      if (job && job.service === service && isClaimable(job) && job.run_at <= now && limit >= 1 && (!tasks || tasks.has(job.task)) && passes(job)) picked.push(job);
    } else if (limit >= 1) {
      // Gated jobs first: each gate lets through only what its rule allows, and none starves behind plain jobs.
      for (const id of this.gates.pick(service, now, limit, options.limits, tasks)) picked.push(this.jobs.get(id)!);
      const due = this.services.get(service)?.due;
      const rest = limit - picked.length;
      if (due && rest > 0) {
        const entries = tasks ? due.popDueWhere(now, rest, (entry) => tasks.has(this.jobs.get(entry.id)!.task)) : due.popDue(now, rest);
        for (const entry of entries) picked.push(this.jobs.get(entry.id)!);
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
      for (const job of picked) if (job.gate == null) this.requeueEntry(job);
      throw error;
    }
    picked.forEach((job, index) => {
      job.attempts += 1;
      job.started = now;
      job.locked_by = workerId;
      job.locked_until = now + leaseMs;
      job.progress = null;
      job.progress_message = null;
      if (job.status === 'cronjob') job.run_at = nextRuns[index] ?? NEVER_DUE;
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
      job.locked_until = until;
      held.push(id);
    }
    return held;
  }

  async cancelRequestedAmong(ids: number[]): Promise<number[]> {
    return ids.filter((id) => this.jobs.get(id)?.cancel_requested === true);
  }

  async finish(outcomes: JobOutcome[]): Promise<AppliedOutcome[]> {
    const applied: AppliedOutcome[] = [];
    for (const outcome of outcomes) {
      const job = this.jobs.get(outcome.id);
      if (!job || !isHeldBy(job, outcome.workerId)) continue;
      this.history.record(job, attemptOf(outcome, job.attempts, job.started));
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
      if (job.locked_until !== null && job.locked_until > now) continue;
      this.history.record(job, lostAttempt(job.locked_by!, job.attempts, job.started, now));
      recoverLease(job, now);
      this.refresh(job);
      touched += 1;
    }
    return touched;
  }

  async listAttempts(id: number): Promise<JobAttempt[]> {
    return this.history.list(this.jobs.get(id));
  }

  async start(id: number, _now: number): Promise<boolean> {
    const job = this.jobs.get(id);
    if (!job || job.status !== 'start later') return false;
    job.status = 'queued';
    job.run_at = 0;
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

  async cancelAll(service: string, now: number): Promise<CancelledJob[]> {
    // Picked first, as the SQL stores' one statement does: a blocked job its cancelled parent
    // cancels on the way is one of them.
    const targets = this.jobIdsOf(service).map((id) => this.jobs.get(id)!).filter((job) => isCancellable(job.status, job.locked_by !== null) || isRunning(job.status, job.locked_by !== null));
    const touched: CancelledJob[] = [];
    for (const job of targets) {
      const outcome = cancelJob(job, now);
      if (outcome === 'flagged') this.cancels.requested(job.id, job.service);
      this.refresh(job);
      touched.push({ id: job.id, task: job.task, cancelled: job.status === 'cancelled' });
    }
    // A blocked job whose cancelled parent cancelled it first is among them: said once, by cancelAll.
    this.flowChanges.forget(touched.map((job) => job.id));
    return touched.sort((a, b) => a.id - b.id);
  }

  async reschedule(id: number, runAt: number, schedule?: Schedule): Promise<JobRecord | undefined> {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    job.run_at = runAt;
    if (schedule !== undefined) job.schedule = JSON.stringify(schedule);
    this.refresh(job);
    // refresh() wakes only when the due time moved; a new schedule is worth a look regardless.
    if (isClaimable(job)) this.wakes.wake(job.service);
    return toRecord(job);
  }

  async setPriority(id: number, priority: number): Promise<JobRecord | undefined> {
    const job = this.jobs.get(id);
    if (!job || !isCancellable(job.status, job.locked_by !== null)) return undefined;
    job.priority = priority;
    this.refresh(job);
    return toRecord(job);
  }

  async setProgress(id: number, workerId: string, progress: number, message: string | null): Promise<boolean> {
    const job = this.jobs.get(id);
    if (!job || !isHeldBy(job, workerId)) return false;
    job.progress = progress;
    job.progress_message = message;
    return true;
  }

  async retry(id: number): Promise<JobRecord | undefined> {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    const holder = this.retryKeyHolder(job);
    if (holder) throw new KeyTakenError(job.id, job.service, job.job_key!, holder.id);
    if (retryJob(job)) this.refresh(job);
    return toRecord(job);
  }

  async retryAll(query: RetryQuery): Promise<number> {
    const statuses = new Set<JobStatus>(retryStatuses(query));
    let retried = 0;
    for (const id of this.jobIdsOf(query.service)) {
      const job = this.jobs.get(id)!;
      if (!statuses.has(job.status) || (query.task !== undefined && job.task !== query.task)) continue;
      if (this.retryKeyHolder(job) || !retryJob(job)) continue;
      this.refresh(job);
      retried += 1;
    }
    return retried;
  }

  async clean(service: string, statuses: JobStatus[]): Promise<number> {
    const doomed = new Set(statuses);
    const jobs = this.services.get(service);
    if (!jobs) return 0;
    let removed = 0;
    for (const id of [...jobs.ids]) {
      const job = this.jobs.get(id)!;
      if (!doomed.has(job.status)) continue;
      this.remove(jobs, job);
      removed += 1;
    }
    return removed;
  }

  async finishedPosition(service: string, status: FinishedStatus, n: number): Promise<FinishedPosition | null> {
    return nthNewest(this.jobsOf(service), status, n);
  }

  async removeFinished(batch: RetentionBatch): Promise<RetentionBatchResult> {
    const jobs = this.services.get(batch.service);
    if (!jobs) return { removed: 0, last: null };
    const { doomed, last } = retentionBatch(this.jobsOf(batch.service), batch);
    for (const id of doomed) this.remove(jobs, this.jobs.get(id)!);
    return { removed: doomed.length, last };
  }

  private jobsOf(service: string): StoredJob[] {
    return this.jobIdsOf(service).map((id) => this.jobs.get(id)!);
  }

  private remove(jobs: ServiceJobs, job: StoredJob): void {
    if (job.dueAt !== null) jobs.liveEntries -= 1;
    jobs.ids.delete(job.id);
    this.gates.forget(job);
    if (job.job_key !== null) this.keyed.get(keyOf(job.service, job.job_key))?.delete(job.id);
    this.jobs.delete(job.id);
    this.leased.delete(job.id);
    this.flows.removed(job.id);
  }

  /** `rows`: what a flow sets besides (status, parents, batch), by position. */
  private insertAll(newJobs: NewJob[], rows?: (index: number, row: MemoryRow) => void): JobRecord[] {
    // Serialise everything first so that a value JSON cannot hold fails the whole batch.
    const prepared = newJobs.map((job) => ({
      job,
      input: JSON.stringify(job.input ?? null),
      schedule: job.schedule === null ? null : JSON.stringify(job.schedule),
    }));
    return prepared.map(({ job, input, schedule }, index) => {
      const stored: StoredJob = { ...insertedRow(++this.lastId, job, input, schedule), dueAt: null, duePriority: 0, dueStamp: 0 };
      rows?.(index, stored);
      this.jobs.set(stored.id, stored);
      this.serviceJobs(stored.service).ids.add(stored.id);
      if (stored.job_key !== null) this.keyedIds(stored.service, stored.job_key).add(stored.id);
      this.refresh(stored);
      return toRecord(stored);
    });
  }

  private serviceJobs(service: string): ServiceJobs {
    let jobs = this.services.get(service);
    if (!jobs) {
      jobs = { ids: new Set(), due: this.dueQueues(), liveEntries: 0 };
      this.services.set(service, jobs);
    }
    return jobs;
  }

  private jobIdsOf(service: string): number[] {
    return [...(this.services.get(service)?.ids ?? [])];
  }

  /** Brings the lease set and the due heap in line with the job, and wakes its service when it waits. */
  private refresh(job: StoredJob): void {
    if (job.locked_by === null) this.leased.delete(job.id);
    else this.leased.add(job.id);
    const jobs = this.serviceJobs(job.service);
    if (job.gate != null) {
      // Any change of a gated job may open its gate (a run ended, the queue's head moved on).
      this.gates.track(job);
      this.wakes.wake(job.service);
    } else if (isClaimable(job)) {
      if (job.dueAt !== job.run_at || job.duePriority !== job.priority) {
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
    this.flows.changed(job);
  }

  /** Puts back the entry of a job popped by a claim that then failed. */
  private requeueEntry(job: StoredJob): void {
    const jobs = this.serviceJobs(job.service);
    jobs.due.push(job.duePriority, { runAt: job.run_at, id: job.id, stamp: job.dueStamp });
  }

  private pushEntry(jobs: ServiceJobs, job: StoredJob): void {
    job.dueAt = job.run_at;
    job.duePriority = job.priority;
    job.dueStamp += 1;
    jobs.due.push(job.priority, { runAt: job.run_at, id: job.id, stamp: job.dueStamp });
  }

  private compact(jobs: ServiceJobs): void {
    jobs.due.clear();
    for (const id of jobs.ids) {
      const job = this.jobs.get(id)!;
      if (job.dueAt !== null) this.pushEntry(jobs, job);
    }
  }

  /** The job holding the key, if one does; a `finished` key whose period is over is let go on the way. */
  private keyHolder(service: string, key: string, now: number): StoredJob | undefined {
    for (const id of this.keyedIds(service, key)) {
      const job = this.jobs.get(id)!;
      if (keyExpired(job, now)) job.key_scope = 'expired';
      if (holdsKey(job)) return job;
    }
    return undefined;
  }

  /** The other job holding the key a retry of `job` would take again (see keyFreeForRetrySql). */
  private retryKeyHolder(job: StoredJob): StoredJob | undefined {
    if (job.job_key === null || job.key_scope === 'expired' || !isRetryable(job.status, job.locked_by !== null, job.schedule)) return undefined;
    for (const id of this.keyedIds(job.service, job.job_key)) {
      const other = this.jobs.get(id)!;
      if (other.id !== job.id && holdsKey(other)) return other;
    }
    return undefined;
  }

  private keyedIds(service: string, key: string): Set<number> {
    let ids = this.keyed.get(keyOf(service, key));
    if (!ids) this.keyed.set(keyOf(service, key), (ids = new Set()));
    return ids;
  }

  private dueQueues(): DueQueues {
    return new DueQueues((entry) => this.jobs.get(entry.id)?.dueStamp === entry.stamp);
  }

  /** The service's live entry with the earliest runAt. */
  private peekDue(service: string): { runAt: number } | undefined {
    return this.services.get(service)?.due.earliest();
  }
}

const keyOf = (service: string, key: string) => `${service} ${key}`;

/** insert and insertMany store no key, as the SQL stores' do not: keyed jobs go through insertKeyed. */
const withoutKey = (job: NewJob): NewJob => (job.key == null ? job : { ...job, key: null, keyScope: undefined, keyPeriodMs: null });

function positionOf(sort: Sort, job: StoredJob): Position {
  return { value: job[sort.key], id: job.id };
}

function toRecord(job: StoredJob): JobRecord {
  return toJobRecord(job, parseJsonText);
}
