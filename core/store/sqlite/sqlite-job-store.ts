import type { Database as SqliteDatabase } from 'better-sqlite3';
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
import { parseJsonText, toJobRecord, type JobRow } from '../job-row.js';
import { zeroCounts } from '../store-rules.js';
import { InsertBatcher } from '../insert-batching.js';
import { prepareAll, transaction, wakeIfWaiting, type ChangedRow } from './sqlite-statements.js';
import { openSqliteDatabase } from './open-sqlite-database.js';
import { insertJobs, JobInsertStatements } from './insert.js';
import { INSERT_KEYED_SQL, insertKeyedJobs } from './insert-keyed.js';
import { KeyedInsertBatcher } from '../keyed-insert-batching.js';
import { CLAIM_SQL, cancelRequestedAmong, claimJobs, renewLeases } from './claim.js';
import { CLAIM_OF_TASKS_SQL } from './claim-of-tasks.js';
import { WAITING_TASKS_SQL, hasWaiting as hasWaitingOfTasks, nextRunAt as nextRunAtOfTasks } from './waiting-tasks.js';
import { COMPLETED_COUNTS_SQL } from './completed-counts.js';
import { FINISH_SQL, finishJobs, recoverLeases } from './finish.js';
import { CANCEL_SQL, cancelAllJobs, cancelJob } from './cancel.js';
import { JOBS_SQL } from './jobs-sql.js';
import { GATE_SQL, SqliteGates } from './gates.js';
import type { CancelledJob, GatingOptions, HeldBy } from '../job-store.js';
import type { LimitSet } from '../gate-rules.js';
import { RETRY_SQL, retryAllJobs, retryJob } from './retry.js';
import { RETENTION_SQL, finishedPosition, removeFinished } from './retention.js';
import type { FinishedPosition, FinishedStatus, RetentionBatch, RetentionBatchResult } from '../retention-rules.js';
import { ATTEMPTS_SQL, listAttempts } from './attempts.js';
import type { JobAttempt } from '../../jobs/job-attempt.js';
import { SqliteListing } from './list.js';
import { SingleProcessSignals } from '../single-process-signals.js';
import type { FlowChange } from '../flow-change-hub.js';
import { type ProcessBeat, type ProcessOrders, type ProcessRecord, processControlKey } from '../process-registry.js';
import { listProcesses, pausedServices, recordProcess, removeProcess, setProcessDraining, setServicePaused } from './processes.js';
import { completionsPerMinute } from './completions.js';
import type { PausedService } from '../service-pauses.js';
import type { BatchRecord, FlowInsert, NewFlow, RelatedJob } from '../job-flows.js';
import { DEPENDENCIES_SQL, getBatch, insertFlow, relatedJobs } from './dependencies.js';
import { registerFlowFunctions } from './flows-schema.js';

export interface SqliteJobStoreOptions {
  /** The database file; its parent directories are created. `:memory:` for a private in-memory database. */
  path: string;
  /** How long open() waits for a lock held elsewhere before it gives up (ms). Default 0: fail at once. */
  busyTimeoutMs?: number;
}

const SQL = { ...COMPLETED_COUNTS_SQL, ...INSERT_KEYED_SQL, ...CLAIM_SQL, ...CLAIM_OF_TASKS_SQL, ...WAITING_TASKS_SQL, ...FINISH_SQL, ...CANCEL_SQL, ...JOBS_SQL, ...RETRY_SQL, ...RETENTION_SQL, ...ATTEMPTS_SQL, ...GATE_SQL, ...DEPENDENCIES_SQL };

function prepare(db: SqliteDatabase) {
  const sql = prepareAll(db, SQL);
  sql.dueOfTask.raw(true);
  sql.dueKeysOfTask.raw(true);
  sql.dueByIds.raw(true);
  sql.waitingTasks.pluck(true);
  sql.claimOne.raw(true);
  sql.claimLimited.raw(true);
  return { sql, inserts: new JobInsertStatements(db), listing: new SqliteListing(db), gates: new SqliteGates(sql) };
}

type Opened = { db: SqliteDatabase } & ReturnType<typeof prepare>;

/**
 * Jobs in one SQLite file, the embedded default. better-sqlite3 is synchronous, so every method
 * runs to its end before any other JavaScript: each is atomic, and batches share one transaction.
 *
 * The file is opened in EXCLUSIVE locking mode: one process serves it, and a second one is told
 * so at open(). Many processes over one queue need the PostgreSQL store.
 */
export class SqliteJobStore extends SingleProcessSignals implements JobStore {
  readonly kind = 'sqlite';
  private readonly path: string;
  private readonly busyTimeoutMs: number;
  private opened: Opened | undefined;
  /**
   * Inserts that come in the same turn of the event loop are written in one transaction: one
   * commit, and the table's and indexes' pages written once for all of them.
   */
  private readonly inserts = new InsertBatcher(async (jobs) => this.insertAll(jobs));
  /** Keyed adds of the same turn likewise: one transaction, the key rules applied to each in turn. */
  private readonly keyedInserts = new KeyedInsertBatcher((requests) => insertKeyedJobs(this.store.db, this.store.sql, this.wakes, requests));

  constructor(options: SqliteJobStoreOptions) {
    super();
    this.path = options.path;
    this.busyTimeoutMs = options.busyTimeoutMs ?? 0;
  }

  /** A change the trigger reported in a transaction that then rolled back is not the job's state: not delivered. */
  protected override flowChangeStands(change: FlowChange): boolean {
    const row = this.opened?.sql.statusOf.get(change.jobId) as { status: string } | undefined;
    return row?.status === change.status;
  }

  async open(): Promise<void> {
    if (this.opened) return;
    const { db, prepared } = openSqliteDatabase(this.path, this.busyTimeoutMs, (db) => {
      // A parent's end released its children (the trigger of flows-schema.ts): wake their service.
      registerFlowFunctions(
        db,
        (service) => this.wakes.wake(service),
        (change) => this.flowChanges.changed({ ...change, time: change.time ?? Date.now() }),
      );
      return prepare(db);
    });
    this.opened = { db, ...prepared };
    // The lock is exclusive, so no live worker of another process can hold a lease in this file:
    // every lease left in it belongs to a process that died. Recover them all now, by the rules of
    // recoverExpired, rather than waiting for their leases to run out.
    this.recover(Date.now(), Number.MAX_VALUE);
  }

  async close(): Promise<void> {
    // Inserts already asked for are written before the file closes.
    await this.inserts.flush();
    await this.keyedInserts.flush();
    const db = this.opened?.db;
    this.opened = undefined;
    this.clearSignals();
    db?.close();
  }

  async insert(job: NewJob): Promise<JobRecord> {
    return this.inserts.insert(job);
  }

  async insertMany(jobs: NewJob[]): Promise<JobRecord[]> {
    return this.insertAll(jobs);
  }

  async insertKeyed(job: NewJob & { key: string }, onKeyTaken: OnKeyTaken, now: number): Promise<KeyedInsert> {
    // After the inserts already asked for, so that a key one of them takes is seen.
    await this.inserts.flush();
    return this.keyedInserts.insert({ job, onKeyTaken, now });
  }

  async insertFlow(flow: NewFlow): Promise<FlowInsert> {
    await this.inserts.flush();
    const { db, sql } = this.store;
    return insertFlow(db, sql, this.wakes, flow);
  }

  async parentsOf(id: number, limit?: number): Promise<RelatedJob[]> {
    return relatedJobs(this.store.sql, 'parentsOf', id, limit);
  }

  async childrenOf(id: number, limit?: number): Promise<RelatedJob[]> {
    return relatedJobs(this.store.sql, 'childrenOf', id, limit);
  }

  async getBatch(id: number): Promise<BatchRecord | undefined> {
    return getBatch(this.store.sql, id);
  }

  async get(id: number): Promise<JobRecord | undefined> {
    const row = this.store.sql.get.get(id) as JobRow<string> | undefined;
    return row && toJobRecord(row, parseJsonText);
  }

  async list(query: JobQuery): Promise<JobPage> {
    return this.store.listing.list(query);
  }

  async countByStatus(service?: string): Promise<Record<JobStatus, number>> {
    const { sql } = this.store;
    const rows = (service === undefined ? sql.countAll.all() : sql.countService.all({ service })) as {
      status: JobStatus;
      count: number;
    }[];
    const counts = zeroCounts();
    for (const row of rows) counts[row.status] = row.count;
    return counts;
  }

  async hasWaiting(service: string, now: number): Promise<boolean> {
    return hasWaitingOfTasks(this.store.sql, service, now) || this.store.gates.hasDue(service, now);
  }

  async nextRunAt(service: string, gating?: GatingOptions): Promise<number | null> {
    const free = nextRunAtOfTasks(this.store.sql, service);
    const gated = this.store.gates.nextRunAt(service, gating?.now ?? Number.NEGATIVE_INFINITY, gating?.limits);
    return free === null ? gated : gated === null ? free : Math.min(free, gated);
  }

  async heldBy(id: number, now: number, limits?: LimitSet): Promise<HeldBy | null> {
    return this.store.gates.heldBy(id, now, limits);
  }

  async claim(options: ClaimOptions): Promise<JobRecord[]> {
    const { db, sql } = this.store;
    return claimJobs(db, sql, this.store.gates, options);
  }

  async renewLeases(ids: number[], workerId: string, until: number): Promise<number[]> {
    return renewLeases(this.store.sql, ids, workerId, until);
  }

  async cancelRequestedAmong(ids: number[]): Promise<number[]> {
    return cancelRequestedAmong(this.store.sql, ids);
  }

  async finish(outcomes: JobOutcome[]): Promise<AppliedOutcome[]> {
    const { db, sql } = this.store;
    return finishJobs(db, sql, this.wakes, outcomes);
  }

  async recoverExpired(now: number): Promise<number> {
    return this.recover(now, now);
  }

  async listAttempts(id: number): Promise<JobAttempt[]> {
    return listAttempts(this.store.sql, id);
  }

  async start(id: number, _now: number): Promise<boolean> {
    const row = this.store.sql.start.get(id) as { service: string } | undefined;
    if (row) this.wakes.wake(row.service);
    return row !== undefined;
  }

  async cancel(id: number, now: number): Promise<JobRecord | undefined> {
    const { db, sql } = this.store;
    const job = cancelJob(db, sql, this.cancels, id, now);
    // A cancelled head of a serial queue lets the next job of the queue through.
    if (job?.gate != null) this.wakes.wake(job.service);
    return job;
  }

  async cancelAll(service: string, now: number): Promise<CancelledJob[]> {
    const { db, sql } = this.store;
    const touched = cancelAllJobs(db, sql, this.cancels, service, now);
    // A blocked job whose cancelled parent cancelled it first is among them: said once, by cancelAll.
    this.flowChanges.forget(touched.map((job) => job.id));
    return touched;
  }

  async reschedule(id: number, runAt: number, schedule?: Schedule): Promise<JobRecord | undefined> {
    const row = this.store.sql.reschedule.get({
      id,
      runAt,
      schedule: schedule === undefined ? null : JSON.stringify(schedule),
    }) as (JobRow<string> & ChangedRow) | undefined;
    if (row) wakeIfWaiting(this.wakes, row);
    return row && toJobRecord(row, parseJsonText);
  }

  async setPriority(id: number, priority: number): Promise<JobRecord | undefined> {
    const row = this.store.sql.setPriority.get({ id, priority }) as JobRow<string> | undefined;
    return row && toJobRecord(row, parseJsonText);
  }

  async setProgress(id: number, workerId: string, progress: number, message: string | null): Promise<boolean> {
    return this.store.sql.setProgress.run({ id, workerId, progress, message }).changes > 0;
  }

  async retry(id: number): Promise<JobRecord | undefined> {
    return retryJob(this.store.db, this.store.sql, this.wakes, id);
  }

  async retryAll(query: RetryQuery): Promise<number> {
    const { db, sql } = this.store;
    return retryAllJobs(db, sql, this.wakes, query);
  }

  async clean(service: string, statuses: JobStatus[]): Promise<number> {
    if (statuses.length === 0) return 0;
    const { db, sql } = this.store;
    return transaction(db, () => {
      // Every completed job of the service goes: so does its count.
      if (statuses.includes('completed')) sql.clearCompleted.run(service);
      return sql.clean.run(service, JSON.stringify(statuses)).changes;
    }).immediate();
  }

  async finishedPosition(service: string, status: FinishedStatus, n: number): Promise<FinishedPosition | null> {
    return finishedPosition(this.store.sql, service, status, n);
  }

  async removeFinished(batch: RetentionBatch): Promise<RetentionBatchResult> {
    return removeFinished(this.store.db, this.store.sql, batch);
  }

  async recordProcess(beat: ProcessBeat): Promise<ProcessOrders> {
    return recordProcess(this.store.db, beat);
  }

  async setProcessDraining(id: string, draining: boolean): Promise<boolean> {
    const recorded = setProcessDraining(this.store.db, id, draining);
    if (recorded) this.controls.changed(processControlKey(id));
    return recorded;
  }

  async completionsPerMinute(service: string, since: number): Promise<MinuteCompletions[]> {
    return completionsPerMinute(this.store.db, service, since);
  }

  async removeProcess(id: string): Promise<boolean> {
    return removeProcess(this.store.db, id);
  }

  async listProcesses(now: number): Promise<ProcessRecord[]> {
    return listProcesses(this.store.db, now);
  }

  async setServicePaused(service: string, paused: boolean, now: number): Promise<boolean> {
    const changed = setServicePaused(this.store.db, service, paused, now);
    if (changed) this.controls.changed(service);
    return changed;
  }

  async pausedServices(): Promise<PausedService[]> {
    return pausedServices(this.store.db);
  }

  private get store(): Opened {
    if (!this.opened) throw new Error(`the SQLite job store ${this.path} is not open: call open() first`);
    return this.opened;
  }

  private insertAll(jobs: NewJob[]): JobRecord[] {
    if (jobs.length === 0) return [];
    const { db, inserts } = this.store;
    return insertJobs(db, inserts, this.wakes, jobs);
  }

  private recover(now: number, leaseEndedBy: number): number {
    const { db, sql } = this.store;
    return recoverLeases(db, sql, this.wakes, now, leaseEndedBy);
  }
}
