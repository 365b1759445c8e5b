import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { JobRecord, JobStatus, Schedule } from '../jobs/job.js';
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
import { decodeCursor, encodeCursor, pageSize, parseSort, type Position, type Sort } from './keyset-paging.js';
import { LOST_WORKER_ERROR, NEVER_DUE, zeroCounts } from './store-rules.js';
import { LocalLocks } from './local-locks.js';
import { WakeHub } from './wake-hub.js';
import { CancelHub } from './cancel-hub.js';
import { migrateSqlite } from './sqlite-migrations.js';

export interface SqliteJobStoreOptions {
  /** The database file; its parent directories are created. `:memory:` for a private in-memory database. */
  path: string;
  /** How long open() waits for a lock held elsewhere before it gives up (ms). Default 0: fail at once. */
  busyTimeoutMs?: number;
}

interface JobRow {
  id: number;
  service: string;
  task: string;
  input: string;
  status: JobStatus;
  result: string | null;
  error: string | null;
  error_stack: string | null;
  attempts: number;
  max_attempts: number;
  created: number;
  started: number | null;
  completed: number | null;
  run_at: number;
  schedule: string | null;
  progress: number | null;
  progress_message: string | null;
  timeout_ms: number | null;
  locked_by: string | null;
  locked_until: number | null;
  cancel_requested: number;
}

interface ChangedRow {
  service: string;
  status: JobStatus;
  locked_by: string | null;
}

const WAITING = `status IN ('queued', 'delayed', 'cronjob')`;
const HELD = `status IN ('processing', 'cronjob')`;
const RUNNING = `(status = 'processing' OR (status = 'cronjob' AND locked_by IS NOT NULL))`;
const CANCELLABLE = `(status IN ('queued', 'start later', 'delayed') OR (status = 'cronjob' AND locked_by IS NULL))`;
const UNLOCK = `locked_by = NULL, locked_until = NULL`;

/**
 * What a claim returns, as an array in this order (the statement runs in raw mode): the columns it
 * did not set itself. Arrays, because better-sqlite3 builds a row object key by key: for a claim of
 * 500 jobs that was 40 % of the claim's time.
 */
const CLAIMED = [
  'id', 'task', 'input', 'status', 'result', 'error', 'error_stack', 'attempts', 'max_attempts', 'created', 'completed',
  'run_at', 'schedule', 'timeout_ms', 'cancel_requested',
] as const;
const CLAIMED_COLUMNS = CLAIMED.join(', ');
type ClaimedRow = [
  id: number,
  task: string,
  input: string,
  status: JobStatus,
  result: string | null,
  error: string | null,
  errorStack: string | null,
  attempts: number,
  maxAttempts: number,
  created: number,
  completed: number | null,
  runAt: number,
  schedule: string | null,
  timeout: number | null,
  cancelRequested: number,
];
/** A column's position in a claimed row; the compiler checks that `name` is at `index`. */
function position<I extends number>(index: I, name: (typeof CLAIMED)[I]): I {
  void name;
  return index;
}
const ID = position(0, 'id');
const STATUS = position(3, 'status');
const RUN_AT = position(11, 'run_at');
const SCHEDULE = position(12, 'schedule');

/**
 * The SQL of every fixed statement, prepared once at open(). SET expressions see the row as it was
 * before the update, which the CASEs on `status` rely upon. A cancel requested while the job ran
 * wins over any outcome that would make it wait again: the job ends `cancelled`.
 */
const SQL = {
  insert: `INSERT INTO jobs (service, task, input, status, max_attempts, created, run_at, schedule, timeout_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  get: `SELECT * FROM jobs WHERE id = ?`,
  claimBatch: `
    UPDATE jobs SET
      status = CASE status WHEN 'cronjob' THEN 'cronjob' ELSE 'processing' END,
      attempts = attempts + 1, started = @now, locked_by = @workerId, locked_until = @until,
      progress = NULL, progress_message = NULL
    WHERE id IN (
      SELECT id FROM jobs
      WHERE service = @service AND ${WAITING} AND run_at <= @now AND locked_by IS NULL
      ORDER BY run_at, id LIMIT @limit)
    RETURNING ${CLAIMED_COLUMNS}`,
  claimOne: `
    UPDATE jobs SET
      status = CASE status WHEN 'cronjob' THEN 'cronjob' ELSE 'processing' END,
      attempts = attempts + 1, started = @now, locked_by = @workerId, locked_until = @until,
      progress = NULL, progress_message = NULL
    WHERE id = @id AND service = @service AND ${WAITING} AND run_at <= @now AND locked_by IS NULL
    RETURNING ${CLAIMED_COLUMNS}`,
  setRunAt: `UPDATE jobs SET run_at = ? WHERE id = ?`,
  renewLeases: `
    UPDATE jobs SET locked_until = @until
    WHERE id IN (SELECT value FROM json_each(@ids)) AND locked_by = @workerId AND ${HELD}
    RETURNING id`,
  cancelRequestedAmong: `SELECT id FROM jobs WHERE id IN (SELECT value FROM json_each(?)) AND cancel_requested`,
  completed: `
    UPDATE jobs SET
      status = CASE WHEN status = 'processing' THEN 'completed' WHEN cancel_requested THEN 'cancelled' ELSE 'cronjob' END,
      attempts = CASE status WHEN 'cronjob' THEN 0 ELSE attempts END,
      result = @result, error = NULL, error_stack = NULL, completed = @now, ${UNLOCK}
    WHERE id = @id AND locked_by = @workerId AND ${HELD}
    RETURNING service, status, locked_by`,
  /** `completed` for a batch: JSON [[id, workerId, now, resultJson], …]; the same rules, row by row. */
  completedMany: `
    UPDATE jobs SET
      status = CASE WHEN status = 'processing' THEN 'completed' WHEN cancel_requested THEN 'cancelled' ELSE 'cronjob' END,
      attempts = CASE status WHEN 'cronjob' THEN 0 ELSE attempts END,
      result = o.result, error = NULL, error_stack = NULL, completed = o.now, ${UNLOCK}
    FROM (SELECT value ->> 0 AS id, value ->> 1 AS worker_id, value ->> 2 AS now, value ->> 3 AS result FROM json_each(?)) AS o
    -- coalesce(): an equality on locked_by would let the planner scan the partial lease index (every
    -- leased job) for each outcome; this way each outcome is one rowid lookup.
    WHERE jobs.id = o.id AND coalesce(jobs.locked_by, '') = o.worker_id AND jobs.${HELD}
    RETURNING jobs.id AS id, jobs.service AS service, jobs.status AS status, jobs.locked_by AS locked_by`,
  failed: `
    UPDATE jobs SET
      status = CASE WHEN status = 'processing' THEN 'error' WHEN cancel_requested THEN 'cancelled' ELSE 'cronjob' END,
      attempts = CASE status WHEN 'cronjob' THEN 0 ELSE attempts END,
      error = @error, error_stack = @errorStack, completed = @now, ${UNLOCK}
    WHERE id = @id AND locked_by = @workerId AND ${HELD}
    RETURNING service, status, locked_by`,
  retry: `
    UPDATE jobs SET
      status = CASE WHEN cancel_requested THEN 'cancelled' WHEN status = 'cronjob' THEN 'cronjob' ELSE 'queued' END,
      -- a cron job retries sooner, but never skips the occurrence its claim already scheduled
      run_at = CASE WHEN cancel_requested THEN run_at WHEN status = 'cronjob' THEN min(run_at, @runAt) ELSE @runAt END,
      completed = CASE WHEN cancel_requested THEN @now ELSE completed END,
      error = @error, error_stack = @errorStack, ${UNLOCK}
    WHERE id = @id AND locked_by = @workerId AND ${HELD}
    RETURNING service, status, locked_by`,
  cancelled: `
    UPDATE jobs SET status = 'cancelled', completed = @now, error = @error, error_stack = NULL, ${UNLOCK}
    WHERE id = @id AND locked_by = @workerId AND ${HELD}
    RETURNING service, status, locked_by`,
  released: `
    UPDATE jobs SET
      attempts = max(0, attempts - 1),
      status = CASE WHEN cancel_requested THEN 'cancelled' WHEN status = 'cronjob' THEN 'cronjob' ELSE 'queued' END,
      run_at = CASE WHEN cancel_requested THEN run_at WHEN status = 'cronjob' THEN @now ELSE 0 END,
      completed = CASE WHEN cancel_requested THEN @now ELSE completed END,
      ${UNLOCK}
    WHERE id = @id AND locked_by = @workerId AND ${HELD}
    RETURNING service, status, locked_by`,
  recover: `
    UPDATE jobs SET
      status = CASE WHEN cancel_requested THEN 'cancelled' WHEN status = 'cronjob' THEN 'cronjob'
                    WHEN attempts < max_attempts THEN 'queued' ELSE 'error' END,
      run_at = CASE WHEN status = 'processing' AND NOT cancel_requested AND attempts < max_attempts THEN 0 ELSE run_at END,
      completed = CASE WHEN cancel_requested OR (status = 'processing' AND attempts >= max_attempts) THEN @now ELSE completed END,
      error = CASE WHEN status = 'processing' AND NOT cancel_requested AND attempts >= max_attempts THEN @lost ELSE error END,
      error_stack = CASE WHEN status = 'processing' AND NOT cancel_requested AND attempts >= max_attempts THEN NULL ELSE error_stack END,
      ${UNLOCK}
    WHERE locked_by IS NOT NULL AND locked_until <= @leaseEndedBy AND ${HELD}
    RETURNING service, status, locked_by`,
  start: `UPDATE jobs SET status = 'queued', run_at = 0 WHERE id = ? AND status = 'start later' RETURNING service`,
  // Run before `cancel` / `flagRunning`, in their transaction: the running jobs about to get their
  // cancel request for the first time, whose workers are told (RETURNING cannot see the old flag).
  newlyFlaggedOne: `SELECT 1 FROM jobs WHERE id = @id AND ${RUNNING} AND NOT cancel_requested`,
  newlyFlagged: `SELECT id FROM jobs WHERE service = @service AND ${RUNNING} AND NOT cancel_requested`,
  cancel: `
    UPDATE jobs SET
      cancel_requested = CASE WHEN ${RUNNING} THEN 1 ELSE cancel_requested END,
      completed = CASE WHEN ${CANCELLABLE} THEN @now ELSE completed END,
      status = CASE WHEN ${CANCELLABLE} THEN 'cancelled' ELSE status END
    WHERE id = @id
    RETURNING *`,
  cancelWaiting: `UPDATE jobs SET status = 'cancelled', completed = @now WHERE service = @service AND ${CANCELLABLE}`,
  flagRunning: `UPDATE jobs SET cancel_requested = 1 WHERE service = @service AND ${RUNNING}`,
  reschedule: `UPDATE jobs SET run_at = @runAt, schedule = coalesce(@schedule, schedule) WHERE id = @id RETURNING *`,
  setProgress: `
    UPDATE jobs SET progress = @progress, progress_message = @message
    WHERE id = @id AND locked_by = @workerId AND ${HELD}`,
  clean: `DELETE FROM jobs WHERE service = ? AND status IN (SELECT value FROM json_each(?))`,
  countAll: `SELECT status, count(*) AS count FROM jobs GROUP BY status`,
  countService: `SELECT status, count(*) AS count FROM jobs WHERE service = ? GROUP BY status`,
  hasWaiting: `SELECT 1 FROM jobs WHERE service = ? AND ${WAITING} AND run_at <= ? AND locked_by IS NULL LIMIT 1`,
  nextRunAt: `SELECT run_at FROM jobs WHERE service = ? AND ${WAITING} AND locked_by IS NULL ORDER BY run_at, id LIMIT 1`,
} as const;

type Statements = { [name in keyof typeof SQL]: Statement };

/**
 * Jobs in one SQLite file, the embedded default. better-sqlite3 is synchronous, so every method
 * runs to its end before any other JavaScript: each is atomic, and batches share one transaction.
 *
 * The file is opened in EXCLUSIVE locking mode: one process serves it, and a second one is told
 * so at open(). Many processes over one queue need the PostgreSQL store.
 */
export class SqliteJobStore implements JobStore {
  readonly kind = 'sqlite';
  private readonly path: string;
  private readonly busyTimeoutMs: number;
  private db: SqliteDatabase | undefined;
  private statements: Statements | undefined;
  private readonly listStatements = new Map<string, Statement>();
  private readonly wakes = new WakeHub();
  private readonly locks = new LocalLocks();
  private readonly cancels = new CancelHub();
  private pendingInserts: { job: NewJob; resolve: (record: JobRecord) => void; reject: (error: unknown) => void }[] = [];

  constructor(options: SqliteJobStoreOptions) {
    this.path = options.path;
    this.busyTimeoutMs = options.busyTimeoutMs ?? 0;
  }

  async open(): Promise<void> {
    if (this.db) return;
    const inMemory = this.path === ':memory:' || this.path === '';
    if (!inMemory) mkdirSync(dirname(resolve(this.path)), { recursive: true });
    let db: SqliteDatabase | undefined;
    try {
      db = new Database(this.path, { timeout: this.busyTimeoutMs });
      // EXCLUSIVE before WAL: SQLite then keeps the WAL index in process memory (no -shm file) and
      // holds the file lock from the first access until close.
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // Checkpoint every 10,000 WAL pages (about 40 MB), not 1,000: a busy queue rewrites the same
      // few pages (the table's and each index's last leaf), copied and synced ten times less often.
      // Durability is unchanged: a commit is in the WAL when it returns.
      db.pragma('wal_autocheckpoint = 10000');
      // Temporary tables and sorts (a listing sorted by a column without an index) spill to a file
      // past the page cache: a server's memory must not grow with the number of jobs it keeps.
      db.pragma('temp_store = DEFAULT');
      migrateSqlite(db, this.path);
      const statements = Object.fromEntries(
        Object.entries(SQL).map(([name, sql]) => [name, db!.prepare(sql)]),
      ) as Statements;
      statements.claimBatch.raw(true);
      statements.claimOne.raw(true);
      this.db = db;
      this.statements = statements;
    } catch (error) {
      db?.close();
      if (isBusy(error)) {
        throw new Error(
          `the SQLite database ${this.path} is held by another remotetask process: a SQLite store serves one ` +
            'process only; stop the other process, or use the PostgreSQL store to run many processes',
          { cause: error },
        );
      }
      throw error;
    }
    // The lock is exclusive, so no live worker of another process can hold a lease in this file:
    // every lease left in it belongs to a process that died. Recover them all now, by the rules of
    // recoverExpired, rather than waiting for their leases to run out.
    this.recover(Date.now(), Number.MAX_VALUE);
  }

  async close(): Promise<void> {
    // Inserts already asked for are written before the file closes.
    this.flushInserts();
    const db = this.db;
    this.db = undefined;
    this.statements = undefined;
    this.listStatements.clear();
    this.wakes.clear();
    this.cancels.clear();
    db?.close();
  }

  /**
   * Inserts that come in the same turn of the event loop (concurrent adds: HTTP requests, a
   * batch of add() calls) are written in one transaction: one commit, and the table's and
   * indexes' pages written once for all of them. Each still resolves only once it is committed.
   */
  async insert(job: NewJob): Promise<JobRecord> {
    return new Promise<JobRecord>((resolve, reject) => {
      this.pendingInserts.push({ job, resolve, reject });
      if (this.pendingInserts.length === 1) setImmediate(() => this.flushInserts());
    });
  }

  private flushInserts(): void {
    const pending = this.pendingInserts;
    if (pending.length === 0) return;
    this.pendingInserts = [];
    let records: JobRecord[];
    try {
      records = this.insertAll(pending.map((entry) => entry.job));
    } catch (error) {
      if (pending.length === 1) {
        pending[0].reject(error);
        return;
      }
      // One job's failure (input JSON cannot hold) must not fail the others: one at a time, then.
      for (const entry of pending) {
        try {
          entry.resolve(this.insertAll([entry.job])[0]);
        } catch (single) {
          entry.reject(single);
        }
      }
      return;
    }
    pending.forEach((entry, index) => entry.resolve(records[index]));
  }

  async insertMany(jobs: NewJob[]): Promise<JobRecord[]> {
    return this.insertAll(jobs);
  }

  async get(id: number): Promise<JobRecord | undefined> {
    const row = this.sql.get.get(id) as JobRow | undefined;
    return row && toRecord(row);
  }

  async list(query: JobQuery): Promise<JobPage> {
    const sort = parseSort(query.sort);
    const limit = pageSize(query.limit);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sort);
    const statuses = query.status && query.status.length > 0 ? [...new Set(query.status)] : [];
    const params: Record<string, unknown> = { limit: limit + 1 };
    if (query.service !== undefined) params.service = query.service;
    if (query.task !== undefined) params.task = query.task;
    statuses.forEach((status, index) => (params[`status${index}`] = status));
    if (after) {
      params.afterId = after.id;
      if (after.value !== null && sort.key !== 'id') params.afterValue = after.value;
    }
    const statement = this.listStatement(sort, {
      service: query.service !== undefined,
      task: query.task !== undefined,
      statuses: statuses.length,
      after: after === undefined ? 'none' : after.value === null ? 'null' : 'value',
    });
    const rows = statement.all(params) as JobRow[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      jobs: page.map(toRecord),
      nextCursor: rows.length > limit ? encodeCursor(sort, positionOf(sort, last)) : null,
    };
  }

  async countByStatus(service?: string): Promise<Record<JobStatus, number>> {
    const rows = (service === undefined ? this.sql.countAll.all() : this.sql.countService.all(service)) as {
      status: JobStatus;
      count: number;
    }[];
    const counts = zeroCounts();
    for (const row of rows) counts[row.status] = row.count;
    return counts;
  }

  async hasWaiting(service: string, now: number): Promise<boolean> {
    return this.sql.hasWaiting.get(service, now) !== undefined;
  }

  async nextRunAt(service: string): Promise<number | null> {
    const row = this.sql.nextRunAt.get(service) as { run_at: number } | undefined;
    return row?.run_at ?? null;
  }

  async claim(options: ClaimOptions): Promise<JobRecord[]> {
    const { service, now, workerId, leaseMs, jobId, nextRunAt } = options;
    const limit = Math.floor(options.limit ?? 1);
    if (!(limit >= 1)) return [];
    const sql = this.sql;
    const until = now + leaseMs;
    const claim = this.database.transaction(() => {
      const params = { service, now, workerId, until };
      const rows = (
        jobId === undefined ? sql.claimBatch.all({ ...params, limit }) : sql.claimOne.all({ ...params, id: jobId })
      ) as ClaimedRow[];
      // RETURNING gives no order; the claim's order is the order jobs were due.
      rows.sort((a, b) => a[RUN_AT] - b[RUN_AT] || a[ID] - b[ID]);
      for (const row of rows) {
        if (row[STATUS] !== 'cronjob') continue;
        // Inside the transaction: a schedule that throws rolls the whole claim back.
        const schedule = row[SCHEDULE];
        const next = schedule === null ? null : nextRunAt(JSON.parse(schedule) as Schedule, now);
        row[RUN_AT] = next ?? NEVER_DUE;
        sql.setRunAt.run(row[RUN_AT], row[ID]);
      }
      return rows;
    });
    // The columns the claim set, from what it set them to.
    return claim.immediate().map(
      ([id, task, input, status, result, error, error_stack, attempts, max_attempts, created, completed, run_at, schedule, timeout_ms, cancel_requested]) =>
        toRecord({
          id, service, task, input, status, result, error, error_stack, attempts, max_attempts, created, started: now, completed,
          run_at, schedule, progress: null, progress_message: null, timeout_ms, locked_by: workerId, locked_until: until, cancel_requested,
        }),
    );
  }

  async renewLeases(ids: number[], workerId: string, until: number): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows = this.sql.renewLeases.all({ ids: JSON.stringify(ids), workerId, until }) as { id: number }[];
    const held = new Set(rows.map((row) => row.id));
    return ids.filter((id) => held.has(id));
  }

  async cancelRequestedAmong(ids: number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows = this.sql.cancelRequestedAmong.all(JSON.stringify(ids)) as { id: number }[];
    const flagged = new Set(rows.map((row) => row.id));
    return ids.filter((id) => flagged.has(id));
  }

  async finish(outcomes: JobOutcome[]): Promise<AppliedOutcome[]> {
    if (outcomes.length === 0) return [];
    const sql = this.sql;
    // Completions, the common case, go as one statement for the batch when every job in it is
    // distinct (a job twice in one batch: one statement each, in order, as below).
    const completions = outcomes.filter((outcome) => outcome.kind === 'completed');
    const batched = completions.length > 1 && new Set(outcomes.map((outcome) => outcome.id)).size === outcomes.length;
    const apply = this.database.transaction(() => {
      const done = new Map<number, JobStatus>();
      if (batched) {
        const payload = JSON.stringify(completions.map((o) => [o.id, o.workerId, o.now, resultJson(o.result)]));
        for (const row of sql.completedMany.all(payload) as (ChangedRow & { id: number })[]) {
          done.set(row.id, row.status);
          this.wakeIfWaiting(row);
        }
      }
      const applied: AppliedOutcome[] = [];
      for (const outcome of outcomes) {
        if (batched && outcome.kind === 'completed') {
          const status = done.get(outcome.id);
          if (status !== undefined) applied.push({ id: outcome.id, status });
          continue;
        }
        const base = { id: outcome.id, workerId: outcome.workerId, now: outcome.now };
        let row: ChangedRow | undefined;
        switch (outcome.kind) {
          case 'completed':
            row = sql.completed.get({ ...base, result: resultJson(outcome.result) }) as ChangedRow | undefined;
            break;
          case 'failed':
            row = sql.failed.get({ ...base, error: outcome.error, errorStack: outcome.errorStack }) as ChangedRow | undefined;
            break;
          case 'retry':
            row = sql.retry.get({ ...base, error: outcome.error, errorStack: outcome.errorStack, runAt: outcome.runAt }) as
              | ChangedRow
              | undefined;
            break;
          case 'cancelled':
            row = sql.cancelled.get({ ...base, error: outcome.error }) as ChangedRow | undefined;
            break;
          case 'released':
            row = sql.released.get(base) as ChangedRow | undefined;
            break;
        }
        if (!row) continue;
        applied.push({ id: outcome.id, status: row.status });
        this.wakeIfWaiting(row);
      }
      return applied;
    });
    return apply.immediate();
  }

  async recoverExpired(now: number): Promise<number> {
    return this.recover(now, now);
  }

  async start(id: number, _now: number): Promise<boolean> {
    const row = this.sql.start.get(id) as { service: string } | undefined;
    if (row) this.wakes.wake(row.service);
    return row !== undefined;
  }

  async cancel(id: number, now: number): Promise<JobRecord | undefined> {
    const sql = this.sql;
    const cancel = this.database.transaction(() => {
      const flagging = sql.newlyFlaggedOne.get({ id }) !== undefined;
      const row = sql.cancel.get({ id, now }) as JobRow | undefined;
      return { row, flagging };
    });
    const { row, flagging } = cancel.immediate();
    if (row && flagging) this.cancels.requested(row.id, row.service);
    return row && toRecord(row);
  }

  async cancelAll(service: string, now: number): Promise<number> {
    const sql = this.sql;
    const cancelAll = this.database.transaction(() => {
      const flagging = (sql.newlyFlagged.all({ service }) as { id: number }[]).map((row) => row.id);
      const touched = sql.cancelWaiting.run({ service, now }).changes + sql.flagRunning.run({ service }).changes;
      return { touched, flagging };
    });
    const { touched, flagging } = cancelAll.immediate();
    for (const id of flagging.sort((a, b) => a - b)) this.cancels.requested(id, service);
    return touched;
  }

  async reschedule(id: number, runAt: number, schedule?: Schedule): Promise<JobRecord | undefined> {
    const row = this.sql.reschedule.get({
      id,
      runAt,
      schedule: schedule === undefined ? null : JSON.stringify(schedule),
    }) as JobRow | undefined;
    if (row) this.wakeIfWaiting(row);
    return row && toRecord(row);
  }

  async setProgress(id: number, workerId: string, progress: number, message: string | null): Promise<boolean> {
    return this.sql.setProgress.run({ id, workerId, progress, message }).changes > 0;
  }

  async clean(service: string, statuses: JobStatus[]): Promise<number> {
    if (statuses.length === 0) return 0;
    return this.sql.clean.run(service, JSON.stringify(statuses)).changes;
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

  private get database(): SqliteDatabase {
    if (!this.db) throw new Error(`the SQLite job store ${this.path} is not open: call open() first`);
    return this.db;
  }

  private get sql(): Statements {
    if (!this.statements) throw new Error(`the SQLite job store ${this.path} is not open: call open() first`);
    return this.statements;
  }

  private insertAll(jobs: NewJob[]): JobRecord[] {
    if (jobs.length === 0) return [];
    const insert = this.sql.insert;
    const insertAll = this.database.transaction(() =>
      jobs.map((job): JobRecord => {
        const input = JSON.stringify(job.input ?? null);
        const schedule = job.schedule === null ? null : JSON.stringify(job.schedule);
        const timeout = job.timeout ?? null;
        const { lastInsertRowid } = insert.run(
          job.service,
          job.task,
          input,
          job.status,
          job.maxAttempts,
          job.created,
          job.runAt,
          schedule,
          timeout,
        );
        return {
          id: Number(lastInsertRowid),
          service: job.service,
          task: job.task,
          // Parsed back from the stored text: the caller's object is not shared with the record.
          input: JSON.parse(input),
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
          schedule: schedule === null ? null : (JSON.parse(schedule) as Schedule),
          progress: null,
          progressMessage: null,
          timeout,
          lockedBy: null,
          lockedUntil: null,
          cancelRequested: false,
        };
      }),
    );
    const records = insertAll.immediate();
    for (const record of records) {
      if (record.status !== 'start later') this.wakes.wake(record.service);
    }
    return records;
  }

  /** Applies the recoverExpired rules to every lease that ended by `leaseEndedBy`. */
  private recover(now: number, leaseEndedBy: number): number {
    const sql = this.sql;
    const recover = this.database.transaction(() => {
      const rows = sql.recover.all({ now, leaseEndedBy, lost: LOST_WORKER_ERROR }) as ChangedRow[];
      for (const row of rows) this.wakeIfWaiting(row);
      return rows.length;
    });
    return recover.immediate();
  }

  private wakeIfWaiting(row: ChangedRow): void {
    const waiting = row.status === 'queued' || row.status === 'delayed' || row.status === 'cronjob';
    if (waiting && row.locked_by === null) this.wakes.wake(row.service);
  }

  /** Listing statements differ by which filters and which cursor shape they carry; each is prepared once. */
  private listStatement(
    sort: Sort,
    shape: { service: boolean; task: boolean; statuses: number; after: 'none' | 'null' | 'value' },
  ): Statement {
    const key = `${sort.descending ? '-' : ''}${sort.key}|${shape.service}|${shape.task}|${shape.statuses}|${shape.after}`;
    let statement = this.listStatements.get(key);
    if (statement) return statement;
    const column = sort.key; // the sort keys are the column names
    const where: string[] = [];
    if (shape.service) where.push('service = @service');
    if (shape.task) where.push('task = @task');
    if (shape.statuses > 0) {
      where.push(`status IN (${Array.from({ length: shape.statuses }, (_, index) => `@status${index}`).join(', ')})`);
    }
    const [greater, idAfter] = sort.descending ? ['<', 'id < @afterId'] : ['>', 'id > @afterId'];
    if (shape.after !== 'none') {
      if (column === 'id') where.push(idAfter);
      else if (shape.after === 'value') {
        const beyond = `${column} ${greater} @afterValue OR (${column} = @afterValue AND ${idAfter})`;
        // Nulls sort after every value: ascending, they are all still ahead; descending, all behind.
        where.push(sort.descending ? `(${beyond})` : `(${beyond} OR ${column} IS NULL)`);
      } else {
        where.push(sort.descending ? `(${column} IS NOT NULL OR ${idAfter})` : `(${column} IS NULL AND ${idAfter})`);
      }
    }
    const direction = sort.descending ? 'DESC' : 'ASC';
    // A NULLS clause only where nulls occur: on other columns it would keep SQLite from reading an index in order.
    const nulls = column === 'started' || column === 'completed' ? ` NULLS ${sort.descending ? 'FIRST' : 'LAST'}` : '';
    const order = column === 'id' ? `id ${direction}` : `${column} ${direction}${nulls}, id ${direction}`;
    const sql = `SELECT * FROM jobs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT @limit`;
    statement = this.database.prepare(sql);
    this.listStatements.set(key, statement);
    return statement;
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_'));
}

function resultJson(result: unknown): string | null {
  return result === undefined || result === null ? null : JSON.stringify(result);
}

function positionOf(sort: Sort, row: JobRow): Position {
  return { value: row[sort.key], id: row.id };
}

function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    service: row.service,
    task: row.task,
    input: JSON.parse(row.input),
    status: row.status,
    result: row.result === null ? null : JSON.parse(row.result),
    error: row.error,
    errorStack: row.error_stack,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    created: row.created,
    started: row.started,
    completed: row.completed,
    runAt: row.run_at,
    schedule: row.schedule === null ? null : (JSON.parse(row.schedule) as Schedule),
    progress: row.progress,
    progressMessage: row.progress_message,
    timeout: row.timeout_ms,
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until,
    cancelRequested: row.cancel_requested !== 0,
  };
}
