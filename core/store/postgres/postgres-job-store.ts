import type { JobRecord, JobStatus, Schedule } from '../../jobs/job.js';
import type {
  AppliedOutcome,
  CancelListener,
  ClaimOptions,
  JobOutcome,
  JobPage,
  JobQuery,
  JobStore,
  NewJob,
  RetryQuery,
  KeyedInsert,
  HostTransactionInserts,
  OnKeyTaken,
  WakeListener,
  MinuteCompletions,
} from '../job-store.js';
import { InsertBatcher } from '../insert-batching.js';
import { WakeHub } from '../wake-hub.js';
import { CancelHub } from '../cancel-hub.js';
import { FlowChangeHub, parseFlowChange, type FlowChangeListener } from '../flow-change-hub.js';
import { PostgresConnection } from './connection.js';
import { describeServer, explainError } from './explain-error.js';
import { PostgresListener } from './listener.js';
import { PostgresEventRelay } from './event-relay.js';
import type { PostgresContext } from './postgres-context.js';
import { quoteSchema } from './postgres-migrations.js';
import { tablesIn, type Tables } from './tables.js';
import { insertJobs } from './insert.js';
import { insertKeyedJob } from './insert-keyed.js';
import { hostTransactionInserts } from './host-transactions.js';
import { claimJobs } from './claim.js';
import { claimGated, claimGatedById, gatedHeldBy, gatedNextRunAt, hasGatedDue, wakeGated } from './gates.js';
import type { CancelledJob, GatingOptions, HeldBy } from '../job-store.js';
import type { LimitSet } from '../gate-rules.js';
import { cancelRequestedAmong, recoverExpired, renewLeases } from './leases.js';
import { finishJobs } from './finish.js';
import { cancelAllJobs, cancelJob } from './cancel.js';
import { listJobs } from './list.js';
import { retryAllJobs, retryJob } from './retry.js';
import { listAttempts } from './attempts.js';
import type { JobAttempt } from '../../jobs/job-attempt.js';
import { CompletedCounts, countByStatus } from './counts.js';
import type { ProcessBeat, ProcessOrders, ProcessRecord } from '../process-registry.js';
import { listProcesses, recordProcess, removeProcess, setProcessDraining } from './processes.js';
import { completionsPerMinute } from './completions.js';
import { pausedServices, setServicePaused } from './pauses.js';
import { type ControlListener, ControlHub, type PausedService } from '../service-pauses.js';
import { setPriority } from './set-priority.js';
import { finishedPosition, removeFinished } from './retention.js';
import type { FinishedPosition, FinishedStatus, RetentionBatch, RetentionBatchResult } from '../retention-rules.js';
import type { BatchRecord, FlowInsert, NewFlow, RelatedJob } from '../job-flows.js';
import { getBatch, insertFlow, relatedJobs } from './dependencies.js';
import { cleanJobs, getJob, hasWaiting, nextRunAt, rescheduleJob, setProgress, startJob } from './manage.js';

export { STORE_PLANNER_SETTINGS, withPlannerSettings } from './connection.js';
export { CANCEL_CHANNEL, WAKE_CHANNEL } from './channels.js';

export interface PostgresJobStoreOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** The schema that holds the tables; default `remotetask`. */
  schema?: string;
  /** Connections in the pool (the LISTEN connection comes on top); default 10. */
  poolSize?: number;
}

/**
 * The PostgreSQL store: many worker machines share one database. Claims are a single
 * `FOR UPDATE SKIP LOCKED` statement, so workers never wait on each other's rows; wake-ups travel
 * as NOTIFY on the wake channel to every store instance listening on the database. Each operation
 * lives in a module of its own, with its statements; this class holds the connection and the
 * local listeners they share.
 */
export class PostgresJobStore implements JobStore {
  readonly kind = 'postgres';
  /** Job events to and from the other processes on the database. */
  readonly eventRelay: PostgresEventRelay;
  /** Inserts on the host application's own client, in its transaction (transactional enqueue). */
  readonly hostTransactions: HostTransactionInserts;

  private readonly url: string;
  private readonly schema: string;
  private readonly poolSize: number;
  private readonly server: string;
  private readonly tables: Tables;

  private connection: PostgresConnection | undefined;
  private listener: PostgresListener | undefined;
  private opening: Promise<void> | undefined;
  private readonly wakes = new WakeHub();
  private readonly cancels = new CancelHub();
  private readonly flowChanges = new FlowChangeHub();
  private readonly controls = new ControlHub();
  /** How many subscriptions each service has: after a lost LISTEN connection, every one is woken. */
  private readonly subscribedServices = new Map<string, number>();
  private readonly context: PostgresContext;
  private readonly completedCounts: CompletedCounts;
  /**
   * Inserts asked for in the same turn of the event loop go to the database as one statement: one
   * round trip and one commit for all.
   */
  private readonly inserts = new InsertBatcher((jobs) => this.insertMany(jobs));

  constructor(options: PostgresJobStoreOptions) {
    this.url = options.url;
    this.schema = options.schema ?? 'remotetask';
    this.poolSize = options.poolSize ?? 10;
    this.server = describeServer(options.url);
    this.tables = tablesIn(quoteSchema(this.schema));
    const open = () => {
      if (!this.connection) throw new Error(`The PostgreSQL job store at ${this.server} is not open`);
      return this.connection;
    };
    this.context = {
      tables: this.tables,
      query: (config) => open().query(config),
      queryPlannedForValues: (config) => open().queryPlannedForValues(config),
      transaction: (fn) => open().transaction(fn),
      wakeLocally: (services) => {
        for (const service of services) this.wakes.wake(service);
      },
      cancelRequested: (id, service) => this.cancels.requested(id, service),
      countDeltasAdded: (rows) => this.completedCounts.added(rows),
    };
    this.completedCounts = new CompletedCounts(this.context);
    this.hostTransactions = hostTransactionInserts(this.tables);
    this.eventRelay = new PostgresEventRelay(() => this.connection, () => {
      // Sent from a lost connection: the others lost theirs too, and resync when it is back.
    });
  }

  async open(): Promise<void> {
    if (this.connection) return;
    // Two open() calls at once share one pool.
    this.opening ??= this.connect().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async connect(): Promise<void> {
    const connection = await PostgresConnection.open({
      url: this.url,
      schema: this.schema,
      poolSize: this.poolSize,
      server: this.server,
    });
    const listener = new PostgresListener(this.url, {
      ownBackendPids: connection.ownBackendPids,
      wake: (service) => this.wakes.wake(service),
      cancelRequested: (id, service) => this.cancels.requested(id, service),
      jobEvents: (payload) => this.eventRelay.received(payload),
      flowChanged: (payload) => {
        const change = parseFlowChange(payload);
        // One too large to announce: subscribers read the store again.
        if (change) this.flowChanges.changed(change);
        else this.eventRelay.lost();
      },
      controlChanged: (service) => this.controls.changed(service),
      // Notifications sent while we were away are gone: a job may have arrived meanwhile. Cancel
      // requests sent meanwhile are not replayed: workers see them through cancelRequestedAmong
      // on their next lease renewal.
      reconnected: () => {
        for (const service of this.subscribedServices.keys()) this.wakes.wake(service);
        // Job events sent meanwhile are gone too: subscribers are told to read the store again.
        this.eventRelay.lost();
        this.controls.changed(null);
      },
    });
    this.connection = connection;
    this.listener = listener;
    this.eventRelay.open();
    try {
      await listener.open();
    } catch (error) {
      this.connection = undefined;
      this.listener = undefined;
      await connection.end().catch(() => undefined);
      throw explainError(this.server, error);
    }
  }

  async close(): Promise<void> {
    // Inserts already asked for are written before the pool ends.
    await this.inserts.flush();
    await this.completedCounts.settled();
    // The last events of a worker stopping (its jobs handed back, finished) still go out.
    await this.eventRelay.close();
    const listener = this.listener;
    const connection = this.connection;
    this.listener = undefined;
    this.connection = undefined;
    this.wakes.clear();
    this.cancels.clear();
    this.flowChanges.clear();
    this.controls.clear();
    this.subscribedServices.clear();
    await Promise.all([listener?.close(), connection?.end()]);
  }

  // ---- jobs in and out -------------------------------------------------------------------------

  async insert(job: NewJob): Promise<JobRecord> {
    return this.inserts.insert(job);
  }

  async insertMany(jobs: NewJob[]): Promise<JobRecord[]> {
    return insertJobs(this.context, jobs);
  }

  async insertKeyed(job: NewJob & { key: string }, onKeyTaken: OnKeyTaken, now: number): Promise<KeyedInsert> {
    return insertKeyedJob(this.context, job, onKeyTaken, now);
  }

  async insertFlow(flow: NewFlow): Promise<FlowInsert> {
    return insertFlow(this.context, flow);
  }

  async parentsOf(id: number, limit?: number): Promise<RelatedJob[]> {
    return relatedJobs(this.context, 'parents', id, limit);
  }

  async childrenOf(id: number, limit?: number): Promise<RelatedJob[]> {
    return relatedJobs(this.context, 'children', id, limit);
  }

  async getBatch(id: number): Promise<BatchRecord | undefined> {
    return getBatch(this.context, id);
  }

  async get(id: number): Promise<JobRecord | undefined> {
    return getJob(this.context, id);
  }

  async list(query: JobQuery): Promise<JobPage> {
    return listJobs(this.context, query);
  }

  async countByStatus(service?: string): Promise<Record<JobStatus, number>> {
    return countByStatus(this.context, service);
  }

  async hasWaiting(service: string, now: number): Promise<boolean> {
    return (await hasWaiting(this.context, service, now)) || hasGatedDue(this.context, service, now);
  }

  async nextRunAt(service: string, gating?: GatingOptions): Promise<number | null> {
    const [free, gated] = await Promise.all([
      nextRunAt(this.context, service),
      gatedNextRunAt(this.context, service, gating?.now ?? Number.NEGATIVE_INFINITY, gating?.limits),
    ]);
    return free === null ? gated : gated === null ? free : Math.min(free, gated);
  }

  async heldBy(id: number, now: number, limits?: LimitSet): Promise<HeldBy | null> {
    return gatedHeldBy(this.context, id, now, limits);
  }

  // ---- running ---------------------------------------------------------------------------------

  async claim(options: ClaimOptions): Promise<JobRecord[]> {
    const limit = Math.floor(options.limit ?? 1);
    if (options.jobId !== undefined) {
      // A gated job by id goes through its gate; a plain one (or unknown) through the plain claim.
      const gated = Number.isSafeInteger(options.jobId) && limit >= 1 ? await claimGatedById(this.context, this.schema, { ...options, jobId: options.jobId }) : undefined;
      return gated ?? claimJobs(this.context, options);
    }
    if (!(limit >= 1)) return [];
    // Gated jobs first, as far as their gates let them through; plain jobs fill the rest.
    const gated = await claimGated(this.context, this.schema, options, limit);
    if (gated.length >= limit) return gated;
    const plain = await claimJobs(this.context, { ...options, limit: limit - gated.length });
    return gated.length === 0 ? plain : gated.concat(plain);
  }

  async renewLeases(ids: number[], workerId: string, until: number): Promise<number[]> {
    return renewLeases(this.context, ids, workerId, until);
  }

  async cancelRequestedAmong(ids: number[]): Promise<number[]> {
    return cancelRequestedAmong(this.context, ids);
  }

  async finish(outcomes: JobOutcome[]): Promise<AppliedOutcome[]> {
    return finishJobs(this.context, outcomes);
  }

  async recoverExpired(now: number): Promise<number> {
    return recoverExpired(this.context, now);
  }

  // ---- managing --------------------------------------------------------------------------------

  async start(id: number, _now: number): Promise<boolean> {
    return startJob(this.context, id);
  }

  async cancel(id: number, now: number): Promise<JobRecord | undefined> {
    const job = await cancelJob(this.context, id, now);
    // A cancelled head of a serial queue lets the next job of its queue through, in every process.
    if (job?.gate != null && job.status === 'cancelled') await wakeGated(this.context, job.service);
    return job;
  }

  async cancelAll(service: string, now: number): Promise<CancelledJob[]> {
    return cancelAllJobs(this.context, service, now);
  }

  async reschedule(id: number, runAt: number, schedule?: Schedule): Promise<JobRecord | undefined> {
    return rescheduleJob(this.context, id, runAt, schedule);
  }

  async setPriority(id: number, priority: number): Promise<JobRecord | undefined> {
    return setPriority(this.context, id, priority);
  }

  async setProgress(id: number, workerId: string, progress: number, message: string | null): Promise<boolean> {
    return setProgress(this.context, id, workerId, progress, message);
  }

  async listAttempts(id: number): Promise<JobAttempt[]> {
    return listAttempts(this.context, id);
  }

  async retry(id: number): Promise<JobRecord | undefined> {
    return retryJob(this.context, id);
  }

  async retryAll(query: RetryQuery): Promise<number> {
    return retryAllJobs(this.context, query);
  }

  async clean(service: string, statuses: JobStatus[]): Promise<number> {
    return cleanJobs(this.context, service, statuses);
  }

  /** Folds the completed-count deltas into one row per service (it also runs by itself). */
  async compactCompletedCounts(): Promise<void> {
    await this.completedCounts.compact();
  }

  // ---- the registry of processes -------------------------------------------------------------

  async recordProcess(beat: ProcessBeat): Promise<ProcessOrders> {
    return recordProcess(this.context, beat);
  }

  /** The order reaches the process by NOTIFY on the control channel, and by its next beat. */
  async setProcessDraining(id: string, draining: boolean): Promise<boolean> {
    return setProcessDraining(this.context, id, draining);
  }

  async completionsPerMinute(service: string, since: number): Promise<MinuteCompletions[]> {
    return completionsPerMinute(this.context, service, since);
  }

  async removeProcess(id: string): Promise<boolean> {
    return removeProcess(this.context, id);
  }

  async listProcesses(now: number): Promise<ProcessRecord[]> {
    return listProcesses(this.context, now);
  }

  /** The change reaches this instance's control listeners as it reaches every other's: by NOTIFY. */
  async setServicePaused(service: string, paused: boolean, now: number): Promise<boolean> {
    return setServicePaused(this.context, service, paused, now);
  }

  async pausedServices(): Promise<PausedService[]> {
    return pausedServices(this.context);
  }

  onControl(listener: ControlListener): () => void {
    return this.controls.subscribe(listener);
  }

  // ---- wake-ups and locks ----------------------------------------------------------------------

  onWake(service: string, listener: WakeListener): () => void {
    const unsubscribe = this.wakes.subscribe(service, listener);
    this.subscribedServices.set(service, (this.subscribedServices.get(service) ?? 0) + 1);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      unsubscribe();
      const left = (this.subscribedServices.get(service) ?? 1) - 1;
      if (left > 0) this.subscribedServices.set(service, left);
      else this.subscribedServices.delete(service);
    };
  }

  /**
   * Cancel requests recorded through this instance reach its listeners at once; those of other
   * instances arrive as NOTIFY on the cancel channel. A request whose NOTIFY was missed while the
   * LISTEN connection was down is not replayed after it reconnects: the worker running the job
   * still sees it through `cancelRequestedAmong`, which it asks with every lease renewal.
   */
  onFlowChanged(listener: FlowChangeListener): () => void {
    return this.flowChanges.subscribe(listener);
  }

  onCancelRequested(listener: CancelListener): () => void {
    return this.cancels.subscribe(listener);
  }

  /** An advisory lock held by one connection across `fn`: every process on the database respects it. */
  async exclusively<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (!this.connection) throw new Error(`The PostgreSQL job store at ${this.server} is not open`);
    return this.connection.exclusively(`remotetask:lock:${this.schema}:${name}`, fn);
  }

  /** The same advisory lock, taken only when free (pg_try_advisory_lock). */
  async tryExclusively<T>(name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (!this.connection) throw new Error(`The PostgreSQL job store at ${this.server} is not open`);
    return this.connection.tryExclusively(`remotetask:lock:${this.schema}:${name}`, fn);
  }

  async finishedPosition(service: string, status: FinishedStatus, n: number): Promise<FinishedPosition | null> {
    return finishedPosition(this.context, service, status, n);
  }

  async removeFinished(batch: RetentionBatch): Promise<RetentionBatchResult> {
    return removeFinished(this.context, batch);
  }
}
