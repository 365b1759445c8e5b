import type { FlowChangeListener } from './flow-change-hub.js';
import type { JobRecord, JobStatus, RetryableStatus, Schedule } from '../jobs/job.js';
import type { ProcessBeat, ProcessOrders, ProcessRecord } from './process-registry.js';
import type { JobAttempt } from '../jobs/job-attempt.js';
import type { ControlListener, PausedService } from './service-pauses.js';
import type { FinishedPosition, FinishedStatus, RetentionBatch, RetentionBatchResult } from './retention-rules.js';
import type { LimitSet } from './gate-rules.js';
import type { BatchRecord, OnParentFailure, RelatedJob } from './flow-records.js';

/** What `add()` and `addCronJob()` hand to the store. */
/** A job `cancelAll` touched. */
export interface CancelledJob {
  id: number;
  task: string;
  /** Ended `cancelled` now; false: running, asked to stop. */
  cancelled: boolean;
}

export interface NewJob {
  service: string;
  task: string;
  input: unknown;
  status: Extract<JobStatus, 'queued' | 'start later' | 'delayed' | 'cronjob'>;
  maxAttempts: number;
  created: number;
  runAt: number;
  schedule: Schedule | null;
  /** A time limit for each run of this job (ms); absent or null: none of its own. */
  timeout?: number | null;
  /** Lower runs first; absent: 0. */
  priority?: number;
  /** A key unique within the service while the job holds it: only `insertKeyed` stores it (`insert` and `insertMany` leave it out). */
  key?: string | null;
  /** How long the key holds: while the job waits for its first run (default), until it ends, or for `keyPeriodMs` after. */
  keyScope?: KeyScope;
  /** With `keyScope: 'finished'`: how long after the job ended its key stays taken (ms). */
  keyPeriodMs?: number | null;
  /** The gate the job passes before it runs (core/store/gate-rules.ts): a limit or a serial queue; absent or null: none. */
  gate?: string | null;
}

/** One job of a flow as the store takes it (see core/store/job-flows.ts). */
export interface NewFlowJob extends NewJob {
  /** Stored jobs it waits for (of the same service). */
  parentIds: number[];
  /** Earlier jobs of the same flow it waits for, by position in `NewFlow.jobs`. */
  parentRefs: number[];
  onParentFailure: OnParentFailure;
}

/** Jobs added in one store transaction; a job names its parents among the stored ones or the earlier ones. */
export interface NewFlow {
  jobs: NewFlowJob[];
  /** Makes it a batch: the last job is the callback (it waits for every other), the others its members. */
  batch?: boolean;
}

/** What `insertFlow` stored, in the order given; `batchId` for a batch. */
export interface FlowInsert {
  jobs: JobRecord[];
  batchId: number | null;
}

/**
 * How long a job holds its key. `waiting`: until its first run starts (a cron job: as long as it
 * lives); `running`: until it ends; `finished`: until `keyPeriodMs` after it ended.
 */
export type KeyScope = 'waiting' | 'running' | 'finished';

/** On a taken key: `keep` answers the job holding it; `replace` gives that job the new input and schedule while it waits. */
export type OnKeyTaken = 'keep' | 'replace';

/** What `insertKeyed` did. */
export interface KeyedInsert {
  job: JobRecord;
  /** `created`: a new job; `existing`: the job holding the key, unchanged; `replaced`: that job with the new input and schedule. */
  outcome: 'created' | 'existing' | 'replaced';
}

export interface ClaimOptions {
  service: string;
  now: number;
  workerId: string;
  /** How long the claim holds before another worker may take the job back (ms). */
  leaseMs: number;
  /** At most this many jobs (a batch); defaults to 1. */
  limit?: number;
  /** Claim only this job (the seed's `processNext(now, jobId)`). */
  jobId?: number;
  /**
   * Claim only jobs of these tasks (an agent serving some of a service's tasks); absent: any task.
   * The SQL stores read a (service, task, …) index per task, so other tasks' jobs are never read;
   * the memory store passes over them (a pop and a push each).
   */
  tasks?: readonly string[];
  /**
   * For a claimed cron job, the next time it is due after `now`, or null when none falls within a
   * year. The store calls it inside the claim so that one occurrence runs once across workers.
   */
  nextRunAt: (schedule: Schedule, now: number) => number | null;
  /** The service's limits, enforced on the jobs gated by them (core/store/gate-rules.ts). */
  limits?: LimitSet;
}

/** What `nextRunAt` needs to leave out the gated jobs held back at `now`. */
export interface GatingOptions {
  now: number;
  limits?: LimitSet;
}

/** Why a waiting job is held back by its gate now. */
export interface HeldBy {
  /** The limit's name (a task, or `*`) or the queue's. */
  limit?: string;
  queue?: string;
  /** The limit's partition (a value of its `partitionBy` field). */
  partition?: unknown;
  reason: string;
}

/**
 * How a claimed run ended. The store applies it only while `workerId` still holds the job:
 * a worker that lost its lease cannot overwrite the run of the worker that took the job over.
 */
export type JobOutcome =
  | { id: number; workerId: string; now: number; kind: 'completed'; result: unknown }
  | { id: number; workerId: string; now: number; kind: 'failed'; error: string; errorStack: string | null }
  | { id: number; workerId: string; now: number; kind: 'retry'; error: string; errorStack: string | null; runAt: number }
  | { id: number; workerId: string; now: number; kind: 'cancelled'; error: string | null }
  /** The task snoozed: the job waits `delayed` until `runAt` (a cron job: its next run no later), the attempt not counted. */
  | { id: number; workerId: string; now: number; kind: 'snoozed'; runAt: number }
  /** Hand the job back without counting the attempt (a worker shutting down). */
  | { id: number; workerId: string; now: number; kind: 'released' };

/** An outcome the store applied, and the job's status after it (a cron job stays `cronjob`; a cancel that landed first makes it `cancelled`). */
export interface AppliedOutcome { id: number; status: JobStatus }

export type JobSortKey = 'id' | 'created' | 'started' | 'completed' | 'status' | 'task';

export interface JobQuery {
  service?: string;
  status?: JobStatus[];
  task?: string;
  /** Page size; stores cap it at 1000. */
  limit?: number;
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor?: string;
  /** A sort key, `-key` for descending. Default `id`. */
  sort?: JobSortKey | `-${JobSortKey}`;
}

export interface JobPage {
  jobs: JobRecord[];
  nextCursor: string | null;
}

/** Which jobs `retryAll` puts back in the queue: the service's, in these statuses (default `error`), of this task. */
export interface RetryQuery {
  service: string;
  status?: RetryableStatus[];
  task?: string;
}

/** Called when a cancel was requested for a running job, wherever the job runs. */
export type CancelListener = (job: { id: number; service: string }) => void;

/** Jobs that ended in one minute (see `completionsPerMinute`). */
export interface MinuteCompletions {
  /** The minute's start (ms since the epoch). */
  start: number;
  completed: number;
  failed: number;
}

/** Called when a job of the service may have become due (added, started, rescheduled, retried, handed back). */
export type WakeListener = () => void;

/** What receives the job events other processes published (see {@link EventRelay}). */
export interface EventRelayListener {
  /** Whether anyone here listens now: events of others are not even parsed otherwise. */
  wanted(): boolean;
  /** Events of another process, in the order it made them (JSON values, to be checked). */
  events(events: unknown[]): void;
  /** Events may have been missed (a lost connection): subscribers must read the store again. */
  lost(): void;
}

/**
 * The host application's own connection to the store's database: a `pg` Client or PoolClient,
 * usually inside a transaction it opened. Only `query` is used, with a config object.
 */
export interface HostClient {
  query(config: { text: string; values?: unknown[]; types?: unknown }): Promise<{ rows: unknown[] }>;
}

/**
 * Inserts on a host client, in its transaction: what they write exists, and wakes the workers,
 * only once the host commits; a rollback leaves nothing. The records they return name jobs that
 * nobody else sees before that commit.
 */
export interface HostTransactionInserts {
  insertMany(client: HostClient, jobs: NewJob[]): Promise<JobRecord[]>;
  insertKeyed(client: HostClient, job: NewJob & { key: string }, onKeyTaken: OnKeyTaken, now: number): Promise<KeyedInsert>;
}

/** Carries job events between the processes that share a database. */
export interface EventRelay {
  /** Sends an event (a JSON-able object) to every other process, after those published before it. */
  publish(event: object): void;
  subscribe(listener: EventRelayListener): () => void;
}

/**
 * Where jobs live. Every method is atomic on its own. A job is handed to one worker at a time:
 * `claim` takes due jobs and leases them; `finish` applies the outcome only for the lease holder.
 * Implementations: memory (unit tests), SQLite (embedded default), PostgreSQL (many workers).
 */
export interface JobStore {
  readonly kind: string;
  /** Job events to and from the other processes of a shared database; absent for one-process stores. */
  readonly eventRelay?: EventRelay;
  /** Inserts on the host application's own connection, in its transaction (PostgreSQL only). */
  readonly hostTransactions?: HostTransactionInserts;
  open(): Promise<void>;
  close(): Promise<void>;

  insert(job: NewJob): Promise<JobRecord>;
  insertMany(jobs: NewJob[]): Promise<JobRecord[]>;
  /**
   * Inserts a job with a key, atomically across every process: when a job of the service holds
   * the key, none is added and `onKeyTaken` says what happens to that one. A key whose
   * `finished` period ran out by `now` is free again.
   */
  insertKeyed(job: NewJob & { key: string }, onKeyTaken: OnKeyTaken, now: number): Promise<KeyedInsert>;
  /**
   * Inserts jobs that may wait for others (stored ones, or earlier ones of the flow), and a batch
   * when asked, in one transaction; a parent id that names no job of the service rejects it all
   * (UnknownParentError). A job whose parents have not all ended is `blocked`; see core/store/job-flows.ts
   * for what the store does when they end.
   */
  insertFlow(flow: NewFlow): Promise<FlowInsert>;
  /** The jobs the job waits (or waited) for, in id order, at most `limit` (default 1000). */
  parentsOf(id: number, limit?: number): Promise<RelatedJob[]>;
  /** The jobs that wait (or waited) for the job, in id order, at most `limit` (default 1000). */
  childrenOf(id: number, limit?: number): Promise<RelatedJob[]>;
  /** A batch with its members' counts, or undefined. */
  getBatch(id: number): Promise<BatchRecord | undefined>;
  get(id: number): Promise<JobRecord | undefined>;
  list(query: JobQuery): Promise<JobPage>;
  countByStatus(service?: string): Promise<Record<JobStatus, number>>;

  /** Whether a job of the service is due at `now`. */
  hasWaiting(service: string, now: number): Promise<boolean>;
  /**
   * The earliest `runAt` among the service's waiting jobs, or null: when a processor should look
   * next. With `gating`, gated jobs held back at `now` count only from when their gate opens by
   * itself (a rate window's end), or not at all (a full concurrency limit, a busy queue: the
   * run that ends wakes the claimers).
   */
  nextRunAt(service: string, gating?: GatingOptions): Promise<number | null>;
  /** Why the job (waiting, gated) is held back by its gate at `now`; null when it is not. */
  heldBy(id: number, now: number, limits?: LimitSet): Promise<HeldBy | null>;

  /**
   * Takes up to `limit` due jobs of the service, oldest `runAt` first, in one atomic step.
   * A queued or delayed job becomes `processing` with `started = now`; a cron job stays `cronjob`
   * and its `runAt` moves to the next occurrence. Each claimed job's `attempts` grows by one and it
   * is leased to `workerId` until `now + leaseMs`. A leased job is never claimed: one whose lease
   * expired is due again once `recoverExpired` has returned it.
   */
  claim(options: ClaimOptions): Promise<JobRecord[]>;
  /** Extends the leases `workerId` holds on these jobs; returns the ids it still holds. */
  renewLeases(ids: number[], workerId: string, until: number): Promise<number[]>;
  /**
   * Those of the given ids whose `cancelRequested` is true, in the order given; unknown ids are
   * left out. The fallback for {@link onCancelRequested}: a worker asks it with every lease renewal,
   * so a cancel request whose notification was lost (a dropped LISTEN connection) still reaches it.
   */
  cancelRequestedAmong(ids: number[]): Promise<number[]>;
  /** Applies outcomes; returns those applied, in the order given, each with the job's status after it. */
  finish(outcomes: JobOutcome[]): Promise<AppliedOutcome[]>;
  /**
   * Returns jobs whose lease expired to the queue (counting the attempt as spent), or fails them
   * when no attempt is left. Returns how many it touched.
   */
  recoverExpired(now: number): Promise<number>;
  /**
   * The job's attempt history, newest first: one entry per run that ended, written by `finish`
   * and `recoverExpired` with the change of the job itself (see core/store/attempt-rules.ts for
   * the bounds). Kept across retries; removed with the job. Empty for an unknown job.
   */
  listAttempts(id: number): Promise<JobAttempt[]>;

  /** `start later` → `queued`. Returns false when the job is not `start later`. */
  start(id: number, now: number): Promise<boolean>;
  /**
   * Cancels a job that is not running (→ `cancelled`) and returns its new record; for a
   * `processing` job it only records the request (`cancelRequested`), which the worker running it
   * acts upon. Final jobs are returned unchanged.
   */
  cancel(id: number, now: number): Promise<JobRecord | undefined>;
  /**
   * Cancels every cancellable job of the service and flags its running ones (as `cancel` does);
   * returns each job it touched, in id order: `cancelled` true for those it ended, false for the
   * running ones it asked to stop (their `cancelled` comes when their run ends).
   */
  cancelAll(service: string, now: number): Promise<CancelledJob[]>;
  /** Sets a cron or delayed job's schedule (when given) and its `runAt`. */
  reschedule(id: number, runAt: number, schedule?: Schedule): Promise<JobRecord | undefined>;
  /**
   * Sets the priority of a job that waits (a job `cancel` would end outright: queued, start later,
   * delayed, or a cron job no worker holds) and returns its new record; undefined when no job of
   * that id waits.
   */
  setPriority(id: number, priority: number): Promise<JobRecord | undefined>;
  /** Records a running job's progress (0..1) for its lease holder. */
  setProgress(id: number, workerId: string, progress: number, message: string | null): Promise<boolean>;
  /**
   * Puts a job that ended `error` or `cancelled` back in the queue: `queued`, due at once, its
   * attempts counted afresh, its times, progress and cancel request reset; its last error is kept
   * until the next run ends. A cron job (which never ends `error`) is not retried. Returns the
   * record after the call, unchanged when the job was not retryable; undefined for an unknown id.
   * A keyed job takes its key again (unless it was let go for good, `expired`): when another job
   * holds it now, nothing changes and a KeyTakenError names the key and that job.
   */
  retry(id: number): Promise<JobRecord | undefined>;
  /**
   * Retries every retryable job the query matches, in batches of one write each; returns how many.
   * A job whose key another job holds is left out (of two that would take one key, one is retried).
   */
  retryAll(query: RetryQuery): Promise<number>;
  /** Removes the service's jobs in these statuses; returns how many. */
  clean(service: string, statuses: JobStatus[]): Promise<number>;

  // Retention (core/store/retention-rules.ts), through the (service, status, completed) index.
  /** The position of the service's `n`th newest job in this finished status (1: the newest); null when it has fewer. */
  finishedPosition(service: string, status: FinishedStatus, n: number): Promise<FinishedPosition | null>;
  /**
   * One batch of a retention sweep, in one short write: removes the jobs of the batch's service
   * and status that ended between `after` and `before`, oldest first, at most `limit`, keeping
   * those whose `finished` key is still held at `now`.
   */
  removeFinished(batch: RetentionBatch): Promise<RetentionBatchResult>;

  /** Subscribes to wake-ups for the service; returns the unsubscribe function. */
  onWake(service: string, listener: WakeListener): () => void;
  /**
   * Subscribes to cancel requests for running jobs (`cancel` or `cancelAll` setting
   * `cancelRequested`), from this store instance and — for a shared database — from every other
   * process, so the worker running the job can abort it. Returns the unsubscribe function.
   */
  onCancelRequested(listener: CancelListener): () => void;
  /**
   * Subscribes to the changes the store makes to blocked jobs when their parents end (released to
   * the queue, or cancelled by a parent's failure), made by any process on a shared database,
   * delivered once each after their write committed. Returns the unsubscribe function.
   */
  onFlowChanged(listener: FlowChangeListener): () => void;
  /**
   * Runs `fn` while holding the lock `name`, so that no other caller — in this process or, for a
   * shared database, in any other — runs under the same name at the same time (a boot step that
   * reads and then writes, say). Returns what `fn` returns.
   */
  exclusively<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Like {@link exclusively}, but never waits: when the lock is held (here or by another
   * process), `fn` does not run and `{ ran: false }` comes back at once.
   */
  tryExclusively<T>(name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;

  // The registry of processes (core/store/process-registry.ts): every process that serves the
  // store's services beats here; the jobs each holds are read from the jobs' leases.
  /** Records the process's beat (inserts it, or replaces what it said before); answers the orders the registry holds for it. */
  recordProcess(beat: ProcessBeat): Promise<ProcessOrders>;
  /** Removes the process (a clean stop); false when it was not recorded. */
  removeProcess(id: string): Promise<boolean>;
  /** Every recorded process, lost ones too, with the jobs it holds; ordered by host, then pid. */
  listProcesses(now: number): Promise<ProcessRecord[]>;
  /**
   * Tells a recorded process to drain (claim nothing, finish what it runs), or to claim again;
   * stored in its registry entry (its beats answer it) and announced to control listeners with
   * the key `processControlKey(id)`. False when no process of that id is recorded.
   */
  setProcessDraining(id: string, draining: boolean): Promise<boolean>;

  /**
   * The service's jobs that ended (`completed`, `error`) at or after `since`, counted per minute of
   * their completion time, oldest first; minutes without any are left out. Cron job runs, which
   * stay `cronjob`, are not among them.
   */
  completionsPerMinute(service: string, since: number): Promise<MinuteCompletions[]>;

  // Fleet-wide pauses (core/store/service-pauses.ts): a paused service is claimed by no process.
  /** Pauses (or resumes) the service for every process; returns whether that changed anything. */
  setServicePaused(service: string, paused: boolean, now: number): Promise<boolean>;
  /** The paused services, by address. */
  pausedServices(): Promise<PausedService[]>;
  /** Subscribes to pauses and resumes from every process on the store; returns the unsubscribe function. */
  onControl(listener: ControlListener): () => void;
}
