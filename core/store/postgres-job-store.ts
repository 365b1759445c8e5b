import pg from 'pg';
import { JOB_STATUSES, type JobRecord, type JobStatus, type Schedule } from '../jobs/job.js';
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
import { decodeCursor, encodeCursor, pageSize, parseSort } from './keyset-paging.js';
import { LOST_WORKER_ERROR, NEVER_DUE, zeroCounts } from './store-rules.js';
import { retryOnDeadlock } from './retry-on-deadlock.js';
import { WakeHub } from './wake-hub.js';
import { CancelHub } from './cancel-hub.js';
import { migratePostgres, quoteSchema } from './postgres-migrations.js';

export interface PostgresJobStoreOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** The schema that holds the tables; default `remotetask`. */
  schema?: string;
  /** Connections in the pool (the LISTEN connection comes on top); default 10. */
  poolSize?: number;
}

/** The channel every store of a database listens on; the payload is the service address. */
export const WAKE_CHANNEL = 'remotetask_wake';
/**
 * The channel of cancel requests for running jobs; the payload is `{"id": …, "service": …}`, sent by
 * the statement that set `cancel_requested`, for each job that newly got it.
 */
export const CANCEL_CHANNEL = 'remotetask_cancel';

/**
 * Planner settings of the store's connections. Every join the store makes goes from a small batch
 * (a claim's locked rows, a batch of outcomes, a cancel's targets) to the jobs table by key, so a
 * nested loop of probes is the plan it wants, whatever the table's size. The statistics disagree
 * at the worst moments: taken while a large backlog waited and no job ran, they price a hash of
 * the whole table below a few hundred probes, and with them every claim, or each batch of
 * outcomes, read the whole table (twice as slow at 20,000 jobs, worse as it grows). So: no hash or
 * merge joins, and each named statement is planned once, for any parameters (generic plans).
 * Other clients of the database keep their own settings.
 */
export const STORE_PLANNER_SETTINGS = { plan_cache_mode: 'force_generic_plan', enable_hashjoin: 'off', enable_mergejoin: 'off' };

/**
 * The connection string and startup `options` that give a connection {@link STORE_PLANNER_SETTINGS}
 * (sent with the startup packet: no extra round trip). `options` of the URL's own are kept.
 */
export function withPlannerSettings(url: string): { connectionString: string; options?: string } {
  const settings = Object.entries(STORE_PLANNER_SETTINGS).map(([name, value]) => `-c ${name}=${value}`).join(' ');
  try {
    const parsed = new URL(url);
    const own = parsed.searchParams.get('options');
    if (own !== null) {
      // pg reads the URL's options over the configuration's: add ours to them.
      parsed.searchParams.set('options', `${own} ${settings}`);
      return { connectionString: parsed.toString() };
    }
  } catch {
    // Not a URL pg would parse either: the options go in the configuration.
  }
  return { connectionString: url, options: settings };
}

/** Count-delta rows one instance adds before it folds them all (a few finish statements' worth each). */
const COMPACT_AFTER_DELTA_ROWS = 1_000;
const LISTENER_APPLICATION_NAME = 'remotetask listener';
const CONNECT_TIMEOUT_MS = 10_000;
const RECONNECT_FIRST_DELAY_MS = 100;
const RECONNECT_MAX_DELAY_MS = 10_000;

/** Waiting statuses, as SQL; the claim index has the same predicate so the planner can use it. */
const WAITING_SQL = `status IN ('queued', 'delayed', 'cronjob')`;
const INT8_OID = 20;

/**
 * int8 (ids, millisecond times, counts) as numbers for this store's connections only; every value
 * it stores stays below 2^53. Other pg users in the process keep their own parsing.
 */
const STORE_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

interface JobRow {
  id: number;
  service: string;
  task: string;
  input: unknown;
  status: JobStatus;
  result: unknown;
  error: string | null;
  error_stack: string | null;
  attempts: number;
  max_attempts: number;
  created: number;
  started: number | null;
  completed: number | null;
  run_at: number;
  schedule: Schedule | null;
  progress: number | null;
  progress_message: string | null;
  timeout_ms: number | null;
  locked_by: string | null;
  locked_until: number | null;
  cancel_requested: boolean;
}

/** What a claim returns: the job less the columns the claim set. */
type ClaimedRow = Omit<JobRow, 'service' | 'started' | 'progress' | 'progress_message' | 'locked_by' | 'locked_until'> & {
  previous_status: JobStatus;
  previous_started: number | null;
  previous_progress: number | null;
  previous_progress_message: string | null;
};

function toJobRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    service: row.service,
    task: row.task,
    input: row.input,
    status: row.status,
    result: row.result,
    error: row.error,
    errorStack: row.error_stack,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    created: row.created,
    started: row.started,
    completed: row.completed,
    runAt: row.run_at,
    schedule: row.schedule,
    progress: row.progress,
    progressMessage: row.progress_message,
    timeout: row.timeout_ms,
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until,
    cancelRequested: row.cancel_requested,
  };
}

/** jsonb parameters travel as JSON text; undefined becomes SQL NULL (read back as null). */
function toJson(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return JSON.stringify(value) ?? null;
}

/*
 * Columns of a batch statement, shortened when every value is the same, since unnest() pads the
 * shorter arrays with NULL. A batch of a thousand completions then sends its ids and times, not a
 * thousand copies of the worker id, of "completed" and of NULL.
 */

/** No element when every value is NULL. */
function nullsLeftOut<T>(values: (T | null)[]): (T | null)[] {
  return values.every((value) => value === null) ? [] : values;
}

/** One element when every value is the same (never NULL): the statement reads a NULL as the first element. */
function sameSentOnce<T>(values: T[]): T[] {
  const first = values[0];
  return values.every((value) => value === first) ? [first] : values;
}

function byRunAtThenId(a: { run_at: number; id: number }, b: { run_at: number; id: number }): number {
  return a.run_at - b.run_at || a.id - b.id;
}

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
]);

function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true;
  return /Connection terminated|timeout expired|connection timeout/i.test(error.message);
}

/** Node reports "localhost" refusals as an AggregateError whose own message is empty. */
function reasonOf(error: Error): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map((inner: unknown) => (inner instanceof Error ? inner.message : String(inner))).join('; ');
  }
  return error.message || String((error as { code?: unknown }).code ?? error.name);
}

/** `host:port` of the URL, never its password. */
function describeServer(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname || decodeURIComponent(parsed.searchParams.get('host') ?? '') || 'localhost';
    return `${host}:${parsed.port || '5432'}`;
  } catch {
    return 'the configured URL';
  }
}

/**
 * The PostgreSQL store: many worker machines share one database. Claims are a single
 * `FOR UPDATE SKIP LOCKED` statement, so workers never wait on each other's rows; wake-ups travel
 * as NOTIFY on {@link WAKE_CHANNEL} to every store instance listening on the database.
 */
export class PostgresJobStore implements JobStore {
  readonly kind = 'postgres';

  private readonly url: string;
  private readonly schema: string;
  private readonly poolSize: number;
  private readonly server: string;
  private readonly sql: ReturnType<typeof buildStatements>;

  private pool: pg.Pool | undefined;
  /** Backend pids of our pool connections: their notifications were already dispatched locally. */
  private readonly ownBackendPids = new Set<number>();
  private listener: pg.Client | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelayMs = RECONNECT_FIRST_DELAY_MS;
  private closing = false;
  private opening: Promise<void> | undefined;
  private readonly wakes = new WakeHub();
  private readonly cancels = new CancelHub();
  /** How many subscriptions each service has: after a lost LISTEN connection, every one is woken. */
  private readonly subscribedServices = new Map<string, number>();
  /** Count-delta rows this instance added since it last folded them (see compactCompletedCounts). */
  private countDeltaRows = 0;
  private compacting: Promise<void> | undefined;
  private pendingInserts: { job: NewJob; resolve: (record: JobRecord) => void; reject: (error: unknown) => void }[] = [];

  constructor(options: PostgresJobStoreOptions) {
    this.url = options.url;
    this.schema = options.schema ?? 'remotetask';
    this.poolSize = options.poolSize ?? 10;
    this.server = describeServer(options.url);
    this.sql = buildStatements(quoteSchema(this.schema));
  }

  async open(): Promise<void> {
    if (this.pool) return;
    // Two open() calls at once share one pool.
    this.opening ??= this.connect().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async connect(): Promise<void> {
    this.closing = false;
    const pool = new pg.Pool({
      ...withPlannerSettings(this.url),
      max: this.poolSize,
      types: STORE_TYPES,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: 'remotetask',
    });
    // An idle connection that dies (server restart) is dropped by the pool; without a handler the
    // 'error' event would crash the process.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => {
      const pid = (client as unknown as { processID?: number }).processID;
      if (pid !== undefined) this.ownBackendPids.add(pid);
    });
    pool.on('remove', (client) => {
      const pid = (client as unknown as { processID?: number }).processID;
      if (pid !== undefined) this.ownBackendPids.delete(pid);
    });
    try {
      const client = await pool.connect();
      try {
        await migratePostgres(client, this.schema);
      } finally {
        client.release();
      }
      this.pool = pool;
      await this.connectListener();
    } catch (error) {
      this.pool = undefined;
      await pool.end().catch(() => undefined);
      throw this.explain(error);
    }
  }

  async close(): Promise<void> {
    // Inserts already asked for are written before the pool ends.
    if (this.pendingInserts.length > 0) await this.flushInserts();
    await this.compacting;
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const listener = this.listener;
    const pool = this.pool;
    this.listener = undefined;
    this.pool = undefined;
    this.wakes.clear();
    this.cancels.clear();
    this.subscribedServices.clear();
    await Promise.all([listener?.end().catch(() => undefined), pool?.end()]);
    this.ownBackendPids.clear();
  }

  // ---- jobs in and out -------------------------------------------------------------------------

  /**
   * Inserts asked for in the same turn of the event loop (concurrent adds: HTTP requests, a batch
   * of add() calls) go to the database as one statement: one round trip and one commit for all.
   * Each resolves once its row is committed.
   */
  async insert(job: NewJob): Promise<JobRecord> {
    return new Promise<JobRecord>((resolve, reject) => {
      this.pendingInserts.push({ job, resolve, reject });
      if (this.pendingInserts.length === 1) setImmediate(() => void this.flushInserts());
    });
  }

  private async flushInserts(): Promise<void> {
    const pending = this.pendingInserts;
    this.pendingInserts = [];
    if (pending.length === 0) return;
    try {
      const records = await this.insertMany(pending.map((entry) => entry.job));
      pending.forEach((entry, index) => entry.resolve(records[index]));
    } catch (error) {
      if (pending.length === 1) return pending[0].reject(error);
      // One job's failure must not fail the others: one statement each, then.
      await Promise.all(
        pending.map((entry) => this.insertMany([entry.job]).then(([record]) => entry.resolve(record), entry.reject)),
      );
    }
  }

  async insertMany(jobs: NewJob[]): Promise<JobRecord[]> {
    if (jobs.length === 0) return [];
    const { rows } = await this.query<JobRow>({
      name: 'remotetask-insert',
      text: this.sql.insert,
      values: [
        jobs.map((job) => job.service),
        jobs.map((job) => job.task),
        jobs.map((job) => toJson(job.input)),
        jobs.map((job) => job.status),
        jobs.map((job) => job.maxAttempts),
        jobs.map((job) => job.created),
        jobs.map((job) => job.runAt),
        jobs.map((job) => toJson(job.schedule)),
        jobs.map((job) => job.timeout ?? null),
      ],
    });
    // Identities are drawn in input order, so id order is the order the caller gave.
    rows.sort((a, b) => a.id - b.id);
    this.wakeLocally(rows.filter((row) => isWaitingStatus(row.status)).map((row) => row.service));
    return rows.map(toJobRecord);
  }

  async get(id: number): Promise<JobRecord | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const { rows } = await this.query<JobRow>({ name: 'remotetask-get', text: this.sql.get, values: [id] });
    return rows[0] ? toJobRecord(rows[0]) : undefined;
  }

  async list(query: JobQuery): Promise<JobPage> {
    const sort = parseSort(query.sort);
    const limit = pageSize(query.limit);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sort);
    const column = sort.key; // the sort keys are the column names

    const values: unknown[] = [];
    const param = (value: unknown, sqlType: string) => {
      values.push(value);
      return `$${values.length}::${sqlType}`;
    };
    const where: string[] = [];
    const serviceParam = query.service === undefined ? undefined : param(query.service, 'text');
    if (serviceParam !== undefined) where.push(`service = ${serviceParam}`);
    if (query.task !== undefined) where.push(`task = ${param(query.task, 'text')}`);
    if (after) {
      const valueType = column === 'status' || column === 'task' ? 'text' : 'bigint';
      const valueParam = column === 'id' || after.value === null ? null : param(after.value, valueType);
      where.push(keysetCondition(column === 'id' ? null : column, sort.descending, valueParam, param(after.id, 'bigint')));
    }
    // NULL times sort after every time; descending reverses the whole order, ties by id included.
    const direction = sort.descending ? 'DESC' : 'ASC';
    const nulls = sort.descending ? 'NULLS FIRST' : 'NULLS LAST';
    const orderBy = column === 'id' ? `id ${direction}` : `${column} ${direction} ${nulls}, id ${direction}`;
    const limitParam = param(limit + 1, 'int');
    const wanted = query.status !== undefined && query.status.length > 0 ? query.status : undefined;
    let text: string;
    if (query.service === undefined) {
      // Across services: the primary key gives the id order; no index starts with the status.
      if (wanted) where.push(`status = ANY(${param(wanted, 'text[]')})`);
      text = `SELECT * FROM ${this.sql.jobs}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${orderBy} LIMIT ${limitParam}`;
    } else {
      // One branch per status, each read from the index that holds that status in the page's
      // order and cut at the page size, then merged: no index covers every status (migration 3).
      const branches = JOB_STATUSES.filter((status) => wanted?.includes(status) ?? true).map((status) => {
        const conditions = [...where, `status = '${status}'`];
        // A processing job always holds a lease: this lets the planner read the lease index.
        if (status === 'processing') conditions.push('locked_by IS NOT NULL');
        // Completed jobs are read from the primary key (migration 4); skip that walk when the
        // service has none.
        if (status === 'completed') {
          conditions.push(`EXISTS (SELECT FROM ${this.sql.completedCounts} WHERE service = ${serviceParam} HAVING sum(delta) > 0)`);
        }
        return `SELECT * FROM ${this.sql.jobs} WHERE ${conditions.join(' AND ')} ORDER BY ${orderBy} LIMIT ${limitParam}`;
      });
      if (branches.length === 0) return { jobs: [], nextCursor: null };
      text =
        branches.length === 1
          ? branches[0]
          : `SELECT * FROM (${branches.map((branch) => `(${branch})`).join(' UNION ALL ')}) page ORDER BY ${orderBy} LIMIT ${limitParam}`;
    }

    const { rows } = await this.queryPlannedForValues<JobRow>({ text, values });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      jobs: page.map(toJobRecord),
      nextCursor: rows.length > limit ? encodeCursor(sort, { value: last[column], id: last.id }) : null,
    };
  }

  async countByStatus(service?: string): Promise<Record<JobStatus, number>> {
    // Planned for this service: a generic plan for "any service" reads in parallel workers, whose
    // start alone costs tens of milliseconds.
    const { rows } = await this.queryPlannedForValues<{ status: JobStatus; count: number }>(
      service === undefined ? { text: this.sql.countAll } : { text: this.sql.countByService, values: [service] },
    );
    const counts = zeroCounts();
    for (const row of rows) counts[row.status] = row.count;
    return counts;
  }

  async hasWaiting(service: string, now: number): Promise<boolean> {
    const { rows } = await this.query<{ waiting: boolean }>({
      name: 'remotetask-has-waiting',
      text: this.sql.hasWaiting,
      values: [service, now],
    });
    return rows[0].waiting;
  }

  async nextRunAt(service: string): Promise<number | null> {
    const { rows } = await this.query<{ run_at: number | null }>({
      name: 'remotetask-next-run-at',
      text: this.sql.nextRunAt,
      values: [service],
    });
    return rows[0].run_at;
  }

  // ---- running ---------------------------------------------------------------------------------

  async claim(options: ClaimOptions): Promise<JobRecord[]> {
    const { service, now, workerId, leaseMs, jobId } = options;
    const limit = Math.floor(options.limit ?? 1);
    if (!(limit >= 1) || (jobId !== undefined && !Number.isSafeInteger(jobId))) return [];
    const lockedUntil = now + leaseMs;
    const { rows } =
      jobId === undefined
        ? await this.query<ClaimedRow>({
            name: 'remotetask-claim',
            text: this.sql.claim,
            values: [service, now, limit, workerId, lockedUntil],
          })
        : await this.query<ClaimedRow>({
            name: 'remotetask-claim-one',
            text: this.sql.claimOne,
            values: [service, now, jobId, workerId, lockedUntil],
          });
    rows.sort(byRunAtThenId);
    // The columns the claim set, from what it set them to: completes each row to a job row.
    const claimed = (row: ClaimedRow): JobRecord =>
      toJobRecord(
        Object.assign(row, {
          service, started: now, progress: null, progress_message: null, locked_by: workerId, locked_until: lockedUntil,
        }),
      );

    const cronRows = rows.filter((row) => row.status === 'cronjob');
    if (cronRows.length === 0) return rows.map(claimed);

    // The lease taken above already makes this occurrence ours alone; now move each cron job to its
    // next occurrence, which only the caller's schedule code can compute.
    let nextRuns: number[];
    try {
      nextRuns = cronRows.map((row) =>
        row.schedule === null ? NEVER_DUE : (options.nextRunAt(row.schedule, now) ?? NEVER_DUE),
      );
    } catch (error) {
      await this.unclaim(rows, workerId);
      throw error;
    }
    const { rows: moved } = await this.query<JobRow>({
      name: 'remotetask-claim-cron-next',
      text: this.sql.moveCronToNextRun,
      values: [cronRows.map((row) => row.id), nextRuns, cronRows.map((row) => row.run_at), workerId],
    });
    const movedById = new Map(moved.map((row) => [row.id, row]));
    return rows.map((row) => {
      const moved = movedById.get(row.id);
      return moved ? toJobRecord(moved) : claimed(row);
    });
  }

  /** Puts claimed jobs back as they were before the claim. */
  private async unclaim(rows: ClaimedRow[], workerId: string): Promise<void> {
    await this.query({
      name: 'remotetask-unclaim',
      text: this.sql.unclaim,
      values: [
        rows.map((row) => row.id),
        rows.map((row) => row.previous_status),
        rows.map((row) => row.previous_started),
        rows.map((row) => row.previous_progress),
        rows.map((row) => row.previous_progress_message),
        workerId,
      ],
    });
  }

  async renewLeases(ids: number[], workerId: string, until: number): Promise<number[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.query<{ id: number }>({
      name: 'remotetask-renew-leases',
      text: this.sql.renewLeases,
      values: [ids, workerId, until],
    });
    const held = new Set(rows.map((row) => row.id));
    return ids.filter((id) => held.has(id));
  }

  async cancelRequestedAmong(ids: number[]): Promise<number[]> {
    const wanted = ids.filter((id) => Number.isSafeInteger(id));
    if (wanted.length === 0) return [];
    const { rows } = await this.query<{ id: number }>({
      name: 'remotetask-cancel-requested-among',
      text: this.sql.cancelRequestedAmong,
      values: [wanted],
    });
    const flagged = new Set(rows.map((row) => row.id));
    return ids.filter((id) => flagged.has(id));
  }

  async finish(given: JobOutcome[]): Promise<AppliedOutcome[]> {
    // One run ends once: a later outcome for the same job in the batch comes after the first ended it.
    const seen = new Set<number>();
    const outcomes = given.filter((outcome) => !seen.has(outcome.id) && seen.add(outcome.id));
    if (outcomes.length === 0) return [];
    const { rows } = await this.query<{ id: number; service: string; status: JobStatus }>({
      name: 'remotetask-finish',
      text: this.sql.finish,
      values: [
        outcomes.map((outcome) => outcome.id),
        sameSentOnce(outcomes.map((outcome) => outcome.workerId)),
        sameSentOnce(outcomes.map((outcome) => outcome.kind)),
        outcomes.map((outcome) => outcome.now),
        nullsLeftOut(outcomes.map((outcome) => (outcome.kind === 'completed' ? toJson(outcome.result) : null))),
        nullsLeftOut(outcomes.map((outcome) => ('error' in outcome ? outcome.error : null))),
        nullsLeftOut(outcomes.map((outcome) => ('errorStack' in outcome ? outcome.errorStack : null))),
        nullsLeftOut(outcomes.map((outcome) => (outcome.kind === 'retry' ? outcome.runAt : null))),
      ],
    });
    // Retried, handed back, or a cron job waiting for its next occurrence.
    this.wakeLocally(rows.filter((row) => isWaitingStatus(row.status)).map((row) => row.service));
    this.countDeltasAdded(new Set(rows.filter((row) => row.status === 'completed').map((row) => row.service)).size);
    const applied = new Map(rows.map((row) => [row.id, row.status]));
    // In the caller's order, each with the status the statement left.
    return outcomes.flatMap((outcome) => {
      const status = applied.get(outcome.id);
      return status === undefined ? [] : [{ id: outcome.id, status }];
    });
  }

  async recoverExpired(now: number): Promise<number> {
    const { rows } = await this.query<{ service: string; status: JobStatus }>({
      name: 'remotetask-recover-expired',
      text: this.sql.recoverExpired,
      values: [now, LOST_WORKER_ERROR],
    });
    this.wakeLocally(rows.filter((row) => isWaitingStatus(row.status)).map((row) => row.service));
    return rows.length;
  }

  // ---- managing --------------------------------------------------------------------------------

  async start(id: number, _now: number): Promise<boolean> {
    if (!Number.isSafeInteger(id)) return false;
    const { rows } = await this.query<{ service: string }>({ name: 'remotetask-start', text: this.sql.start, values: [id] });
    this.wakeLocally(rows.map((row) => row.service));
    return rows.length > 0;
  }

  async cancel(id: number, now: number): Promise<JobRecord | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const { rows } = await this.query<JobRow & { newly_requested: boolean }>({
      name: 'remotetask-cancel',
      text: this.sql.cancel,
      values: [id, now],
    });
    const row = rows[0];
    if (!row) return undefined;
    if (row.newly_requested) this.cancels.requested(row.id, row.service);
    return toJobRecord(row);
  }

  async cancelAll(service: string, now: number): Promise<number> {
    const config = { name: 'remotetask-cancel-all', text: this.sql.cancelAll, values: [service, now] };
    // It locks the service's rows in id order; a batch of outcomes locks them in its own order, so
    // the two can deadlock. PostgreSQL then aborts one statement whole: run this one again.
    const { rows } = await retryOnDeadlock(() =>
      this.query<{ id: number; service: string; newly_requested: boolean }>(config),
    );
    rows.sort((a, b) => a.id - b.id);
    for (const row of rows) if (row.newly_requested) this.cancels.requested(row.id, row.service);
    return rows.length;
  }

  async reschedule(id: number, runAt: number, schedule?: Schedule): Promise<JobRecord | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const { rows } = await this.query<JobRow>({
      name: 'remotetask-reschedule',
      text: this.sql.reschedule,
      values: [id, runAt, toJson(schedule)],
    });
    const row = rows[0];
    if (!row) return undefined;
    if (isWaitingStatus(row.status) && row.locked_by === null) this.wakeLocally([row.service]);
    return toJobRecord(row);
  }

  async setProgress(id: number, workerId: string, progress: number, message: string | null): Promise<boolean> {
    if (!Number.isSafeInteger(id)) return false;
    const { rowCount } = await this.query({
      name: 'remotetask-set-progress',
      text: this.sql.setProgress,
      values: [id, workerId, progress, message],
    });
    return (rowCount ?? 0) > 0;
  }

  async clean(service: string, statuses: JobStatus[]): Promise<number> {
    if (statuses.length === 0) return 0;
    const { rows } = await this.query<{ count: number; completed: number }>({
      name: 'remotetask-clean',
      text: this.sql.clean,
      values: [service, statuses],
    });
    if (rows[0].completed > 0) this.countDeltasAdded(1);
    return rows[0].count;
  }

  /**
   * Folds the completed-count deltas into one row per service, so counting reads a few rows.
   * Runs by itself after every {@link COMPACT_AFTER_DELTA_ROWS} deltas this instance added.
   */
  async compactCompletedCounts(): Promise<void> {
    this.countDeltaRows = 0;
    await this.query({ name: 'remotetask-compact-completed-counts', text: this.sql.compactCompletedCounts });
  }

  private countDeltasAdded(rows: number): void {
    this.countDeltaRows += rows;
    if (this.countDeltaRows < COMPACT_AFTER_DELTA_ROWS || this.compacting) return;
    // Off the caller's path; a failure (database away) leaves the rows for the next time.
    this.compacting = this.compactCompletedCounts()
      .catch(() => undefined)
      .finally(() => {
        this.compacting = undefined;
      });
  }

  // ---- wake-ups --------------------------------------------------------------------------------

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
   * instances arrive as NOTIFY on {@link CANCEL_CHANNEL}. A request whose NOTIFY was missed while
   * the LISTEN connection was down is not replayed after it reconnects: the worker running the job
   * still sees it through `cancelRequestedAmong`, which it asks with every lease renewal.
   */
  /** An advisory lock held by one connection across `fn`: every process on the database respects it. */
  async exclusively<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const pool = this.pool;
    if (!pool) throw new Error(`The PostgreSQL job store at ${this.server} is not open`);
    const client = await pool.connect().catch((error: unknown) => {
      throw this.explain(error);
    });
    const key = [`remotetask:lock:${this.schema}:${name}`];
    try {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', key);
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', key);
      }
    } finally {
      client.release();
    }
  }

  onCancelRequested(listener: CancelListener): () => void {
    return this.cancels.subscribe(listener);
  }

  /** Our own writes wake our listeners at once; the NOTIFY they send is for other store instances. */
  private wakeLocally(services: string[]): void {
    for (const service of services) this.wakes.wake(service);
  }

  private async connectListener(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: LISTENER_APPLICATION_NAME,
      // It sits idle for hours: keepalive is how a silently dropped connection gets noticed.
      keepAlive: true,
    });
    client.on('notification', (message) => {
      if (message.payload === undefined) return;
      // Our own writes were dispatched locally when they returned; their echo is for the others.
      if (this.ownBackendPids.has(message.processId)) return;
      if (message.channel === WAKE_CHANNEL) this.wakes.wake(message.payload);
      else if (message.channel === CANCEL_CHANNEL) {
        const job = parseCancelPayload(message.payload);
        if (job) this.cancels.requested(job.id, job.service);
      }
    });
    const lost = () => this.listenerLost(client);
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
      await client.query(`LISTEN ${WAKE_CHANNEL}; LISTEN ${CANCEL_CHANNEL}`);
    } catch (error) {
      client.removeListener('end', lost);
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closing) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
  }

  private listenerLost(client: pg.Client): void {
    if (this.listener !== client) return;
    this.listener = undefined;
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closing || this.reconnectTimer) return;
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(delay * 2, RECONNECT_MAX_DELAY_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connectListener().then(
        () => {
          if (this.closing) return;
          this.reconnectDelayMs = RECONNECT_FIRST_DELAY_MS;
          // Notifications sent while we were away are gone: a job may have arrived meanwhile.
          // Cancel requests sent meanwhile are not replayed: workers see them through
          // cancelRequestedAmong on their next lease renewal.
          for (const service of this.subscribedServices.keys()) this.wakes.wake(service);
        },
        () => this.scheduleReconnect(),
      );
    }, delay);
    this.reconnectTimer.unref();
  }

  // ---- plumbing --------------------------------------------------------------------------------

  private async query<Row extends pg.QueryResultRow = pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<Row>> {
    const pool = this.pool;
    if (!pool) throw new Error(`The PostgreSQL job store at ${this.server} is not open`);
    try {
      return await pool.query<Row>(config);
    } catch (error) {
      throw this.explain(error);
    }
  }

  /**
   * A statement planned for its parameters' values (a custom plan), unlike the store's named
   * statements (see {@link STORE_PLANNER_SETTINGS}): a listing reads the primary key for a service
   * with many jobs and the BRIN index for one with few. Two more round trips: for listings and
   * counts, not for the work.
   */
  private async queryPlannedForValues<Row extends pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<Row>> {
    const pool = this.pool;
    if (!pool) throw new Error(`The PostgreSQL job store at ${this.server} is not open`);
    const client = await pool.connect().catch((error: unknown) => {
      throw this.explain(error);
    });
    let broken: Error | undefined;
    try {
      await client.query(`BEGIN READ ONLY; SET LOCAL plan_cache_mode = force_custom_plan`);
      const result = await client.query<Row>(config);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackFailed: Error) => (broken = rollbackFailed));
      throw this.explain(error);
    } finally {
      // A connection that cannot even roll back is dropped, not handed to the next caller.
      client.release(broken);
    }
  }

  /** Connection failures read as such, with the server but without the URL's password. */
  private explain(error: unknown): unknown {
    if (!isUnreachable(error)) return error;
    return new Error(`PostgreSQL at ${this.server} is not reachable: ${reasonOf(error as Error)}`, { cause: error });
  }
}

/** The `{id, service}` of a cancel NOTIFY, or undefined for a payload this store did not send. */
function parseCancelPayload(payload: string): { id: number; service: string } | undefined {
  try {
    const parsed = JSON.parse(payload) as { id?: unknown; service?: unknown } | null;
    if (parsed && Number.isSafeInteger(parsed.id) && typeof parsed.service === 'string') {
      return { id: parsed.id as number, service: parsed.service };
    }
  } catch {}
  return undefined;
}

function isWaitingStatus(status: JobStatus): boolean {
  return status === 'queued' || status === 'delayed' || status === 'cronjob';
}

/**
 * The rows after the cursor row in the order `column dir, id dir` where NULL sorts after every value
 * (ascending) and before every value (descending). `column` is null when sorting by id alone;
 * `valueParam` is null when the cursor row's value is NULL.
 */
function keysetCondition(column: string | null, descending: boolean, valueParam: string | null, idParam: string): string {
  const after = descending ? '<' : '>';
  if (column === null) return `id ${after} ${idParam}`;
  if (valueParam === null) {
    const sameNullBlock = `(${column} IS NULL AND id ${after} ${idParam})`;
    return descending ? `(${sameNullBlock} OR ${column} IS NOT NULL)` : sameNullBlock;
  }
  const later = `(${column} ${after} ${valueParam} OR (${column} = ${valueParam} AND id ${after} ${idParam}))`;
  return descending ? later : `(${later} OR ${column} IS NULL)`;
}

/**
 * Every fixed statement of the store, for one schema. Named statements are prepared once per
 * connection, and planned once (generic plans: see STORE_PLANNER_SETTINGS). Exported for the plan
 * tests.
 */
export function buildStatements(schema: string) {
  const jobs = `${schema}.jobs`;
  const completedCounts = `${schema}.completed_counts`;
  /** Sends one NOTIFY per service of `source`'s rows that match `condition`, inside the same statement. */
  const notify = (source: string, condition: string) =>
    `woken AS (SELECT pg_notify('${WAKE_CHANNEL}', w.service) FROM (SELECT DISTINCT service FROM ${source} WHERE ${condition}) w)`;
  /** A one-time filter that makes PostgreSQL evaluate the `woken` CTE (unreferenced CTEs never run). */
  const afterNotify = `(SELECT count(*) FROM woken) >= 0`;

  const claimSet = `
      status = CASE WHEN j.status = 'cronjob' THEN 'cronjob' ELSE 'processing' END,
      started = $2,
      attempts = j.attempts + 1,
      locked_by = $4,
      locked_until = $5,
      progress = NULL,
      progress_message = NULL`;
  // The columns the claim did not just set (the caller knows those), and what it overwrote, to put
  // back if a cron schedule cannot say when it runs next.
  const claimReturning = `
      RETURNING j.id, j.task, j.input, j.status, j.result, j.error, j.error_stack, j.attempts, j.max_attempts,
        j.created, j.completed, j.run_at, j.schedule, j.timeout_ms, j.cancel_requested,
        due.status AS previous_status, due.started AS previous_started,
        due.progress AS previous_progress, due.progress_message AS previous_progress_message`;
  // ctid: the row version just locked, fetched again directly instead of by a primary-key search.
  const claimDueColumns = 'ctid, status, started, progress, progress_message';

  // Cancels a waiting job outright, or records the request for the worker running it.
  const cancelSet = `
        status = CASE WHEN ${CANCELLABLE_NOW} THEN 'cancelled' ELSE status END,
        completed = CASE WHEN ${CANCELLABLE_NOW} THEN $2 ELSE completed END,
        cancel_requested = cancel_requested OR ${RUNNING_NOW}`;
  /** One NOTIFY per running job of `cancelled` that newly got its cancel request, in the same statement. */
  const notifyCancel = `notified AS (
        SELECT pg_notify('${CANCEL_CHANNEL}', json_build_object('id', id, 'service', service)::text)
        FROM cancelled WHERE newly_requested)`;
  const afterCancelNotify = `(SELECT count(*) FROM notified) >= 0`;

  return {
    jobs,
    completedCounts,
    insert: `
      WITH inserted AS (
        INSERT INTO ${jobs} (service, task, input, status, max_attempts, created, run_at, schedule, timeout_ms)
        SELECT service, task, input::jsonb, status, max_attempts, created, run_at, schedule::jsonb, timeout_ms
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::bigint[], $7::bigint[], $8::text[], $9::bigint[])
          WITH ORDINALITY AS n(service, task, input, status, max_attempts, created, run_at, schedule, timeout_ms, position)
        ORDER BY position
        RETURNING *
      ), ${notify('inserted', WAITING_SQL)}
      SELECT * FROM inserted WHERE ${afterNotify}`,

    get: `SELECT * FROM ${jobs} WHERE id = $1`,
    // Running jobs are counted from the lease index, completed ones from their count deltas, the
    // others from the status index (migrations 3 and 4).
    countAll: `
      SELECT status, count(*) AS count FROM ${jobs} WHERE ${INDEXED_STATUS} GROUP BY status
      UNION ALL
      SELECT 'processing', count(*) FROM ${jobs} WHERE status = 'processing' AND locked_by IS NOT NULL
      UNION ALL
      SELECT 'completed', coalesce(sum(delta), 0)::bigint FROM ${completedCounts}`,
    countByService: `
      SELECT status, count(*) AS count FROM ${jobs} WHERE service = $1 AND ${INDEXED_STATUS} GROUP BY status
      UNION ALL
      SELECT 'processing', count(*) FROM ${jobs} WHERE service = $1 AND status = 'processing' AND locked_by IS NOT NULL
      UNION ALL
      SELECT 'completed', coalesce(sum(delta), 0)::bigint FROM ${completedCounts} WHERE service = $1`,
    // Folds the count deltas into one row per service. Rows added meanwhile are not seen, so kept;
    // a second compaction at once waits for this one's row locks, then finds those rows gone.
    compactCompletedCounts: `
      WITH gone AS (DELETE FROM ${completedCounts} RETURNING service, delta)
      INSERT INTO ${completedCounts} (service, delta)
        SELECT service, sum(delta) FROM gone GROUP BY service HAVING sum(delta) <> 0`,
    hasWaiting: `
      SELECT EXISTS (
        SELECT 1 FROM ${jobs} WHERE service = $1 AND ${WAITING_SQL} AND locked_by IS NULL AND run_at <= $2
      ) AS waiting`,
    nextRunAt: `SELECT min(run_at) AS run_at FROM ${jobs} WHERE service = $1 AND ${WAITING_SQL} AND locked_by IS NULL`,

    // SKIP LOCKED: concurrent claimers pass over each other's rows instead of queueing on them.
    claim: `
      WITH due AS (
        SELECT ${claimDueColumns} FROM ${jobs}
        WHERE service = $1 AND ${WAITING_SQL} AND locked_by IS NULL AND run_at <= $2
        ORDER BY run_at, id
        LIMIT $3
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${jobs} j SET ${claimSet}
      FROM due WHERE j.ctid = due.ctid ${claimReturning}`,
    claimOne: `
      WITH due AS (
        SELECT ${claimDueColumns} FROM ${jobs}
        WHERE id = $3 AND service = $1 AND ${WAITING_SQL} AND locked_by IS NULL AND run_at <= $2
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${jobs} j SET ${claimSet}
      FROM due WHERE j.ctid = due.ctid ${claimReturning}`,
    unclaim: `
      UPDATE ${jobs} j SET
        status = p.status, started = p.started, progress = p.progress, progress_message = p.progress_message,
        attempts = j.attempts - 1, locked_by = NULL, locked_until = NULL
      FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::float8[], $5::text[])
        AS p(id, status, started, progress, progress_message)
      WHERE j.id = p.id AND j.locked_by = $6`,
    moveCronToNextRun: `
      UPDATE ${jobs} j SET run_at = n.run_at
      FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS n(id, run_at, claimed_run_at)
      -- A reschedule that came in since the claim wins over the occurrence computed here.
      WHERE j.id = n.id AND j.locked_by = $4 AND j.status = 'cronjob' AND j.run_at = n.claimed_run_at
      RETURNING j.*`,
    renewLeases: `
      UPDATE ${jobs} SET locked_until = $3
      WHERE id = ANY($1::bigint[]) AND coalesce(locked_by, '') = $2 AND status IN ('processing', 'cronjob')
      RETURNING id`,
    cancelRequestedAmong: `SELECT id FROM ${jobs} WHERE id = ANY($1::bigint[]) AND cancel_requested`,

    // One row per outcome; the lease holder check makes a late worker's outcome a no-op.
    finish: `
      WITH outcome AS (
        -- unnest() pads the shorter arrays with NULL: see sameSentOnce() and nullsLeftOut().
        SELECT o.id, coalesce(o.worker_id, ($2::text[])[1]) AS worker_id, coalesce(o.kind, ($3::text[])[1]) AS kind,
          o.now, o.result, o.error, o.error_stack, o.run_at
        FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::bigint[])
          AS o(id, worker_id, kind, now, result, error, error_stack, run_at)
      ), finished AS (
        UPDATE ${jobs} j SET
          status = CASE
            WHEN o.kind = 'cancelled' THEN 'cancelled'
            -- A cancel requested during the run wins over waiting again.
            WHEN j.cancel_requested AND (j.status = 'cronjob' OR o.kind IN ('retry', 'released')) THEN 'cancelled'
            WHEN j.status = 'cronjob' THEN 'cronjob'
            WHEN o.kind = 'completed' THEN 'completed'
            WHEN o.kind = 'failed' THEN 'error'
            ELSE 'queued' END,
          result = CASE WHEN o.kind = 'completed' THEN o.result::jsonb ELSE j.result END,
          error = CASE
            WHEN o.kind = 'completed' THEN NULL
            WHEN o.kind = 'released' THEN j.error
            ELSE o.error END,
          error_stack = CASE
            WHEN o.kind IN ('completed', 'cancelled') THEN NULL
            WHEN o.kind = 'released' THEN j.error_stack
            ELSE o.error_stack END,
          completed = CASE
            WHEN o.kind IN ('completed', 'failed', 'cancelled') OR j.cancel_requested THEN o.now
            ELSE j.completed END,
          run_at = CASE
            WHEN j.cancel_requested THEN j.run_at
            -- A cron retry comes sooner, but never skips the occurrence the claim scheduled.
            WHEN o.kind = 'retry' AND j.status = 'cronjob' THEN least(j.run_at, o.run_at)
            WHEN o.kind = 'retry' THEN o.run_at
            WHEN o.kind = 'released' AND j.status = 'cronjob' THEN o.now
            WHEN o.kind = 'released' THEN 0
            ELSE j.run_at END,
          attempts = CASE
            WHEN o.kind = 'released' THEN greatest(j.attempts - 1, 0)
            WHEN j.status = 'cronjob' AND o.kind IN ('completed', 'failed') THEN 0
            ELSE j.attempts END,
          locked_by = NULL,
          locked_until = NULL
        FROM outcome o
        -- coalesce(): an equality on locked_by would let the planner read the partial lease index
        -- (every leased job, which stale statistics count as none) instead of one primary-key probe
        -- per outcome: with thousands of jobs leased (prefetch), that made each finish O(leased).
        WHERE j.id = o.id AND coalesce(j.locked_by, '') = o.worker_id AND j.status IN ('processing', 'cronjob')
        RETURNING j.id, j.service, j.status
      ), ${notify('finished', WAITING_SQL)},
      -- A data-modifying CTE always runs: one count delta per service that got completed jobs.
      counted AS (
        INSERT INTO ${completedCounts} (service, delta)
        SELECT service, count(*) FROM finished WHERE status = 'completed' GROUP BY service
      )
      SELECT id, service, status FROM finished WHERE ${afterNotify}`,

    recoverExpired: `
      WITH expired AS (
        SELECT id FROM ${jobs}
        WHERE locked_by IS NOT NULL AND locked_until <= $1 AND status IN ('processing', 'cronjob')
        FOR UPDATE SKIP LOCKED
      ), recovered AS (
        UPDATE ${jobs} j SET
          status = CASE
            WHEN j.cancel_requested THEN 'cancelled'
            WHEN j.status = 'cronjob' THEN 'cronjob'
            WHEN j.attempts < j.max_attempts THEN 'queued'
            ELSE 'error' END,
          run_at = CASE WHEN ${REQUEUE_LOST} THEN 0 ELSE j.run_at END,
          error = CASE WHEN ${FAIL_LOST} THEN $2 ELSE j.error END,
          error_stack = CASE WHEN ${FAIL_LOST} THEN NULL ELSE j.error_stack END,
          completed = CASE WHEN j.cancel_requested OR ${FAIL_LOST} THEN $1 ELSE j.completed END,
          locked_by = NULL,
          locked_until = NULL
        FROM expired WHERE j.id = expired.id
        RETURNING j.service, j.status
      ), ${notify('recovered', WAITING_SQL)}
      SELECT service, status FROM recovered WHERE ${afterNotify}`,

    start: `
      WITH started AS (
        UPDATE ${jobs} SET status = 'queued', run_at = 0
        WHERE id = $1 AND status = 'start later'
        RETURNING service
      ), ${notify('started', 'true')}
      SELECT service FROM started WHERE ${afterNotify}`,

    // The row lock taken by `target` makes `was_requested` the flag as the update finds it, so of
    // two cancels racing on a running job exactly one sees it newly set and sends the NOTIFY.
    cancel: `
      WITH target AS (
        SELECT id, cancel_requested AS was_requested FROM ${jobs} WHERE id = $1 FOR UPDATE
      ), cancelled AS (
        UPDATE ${jobs} j SET ${cancelSet}
        FROM target t WHERE j.id = t.id
        RETURNING j.*, j.cancel_requested AND NOT t.was_requested AS newly_requested
      ), ${notifyCancel}
      SELECT * FROM cancelled WHERE ${afterCancelNotify}`,
    cancelAll: `
      WITH target AS (
        SELECT id, cancel_requested AS was_requested FROM ${jobs}
        WHERE service = $1 AND (${CANCELLABLE_NOW} OR ${RUNNING_NOW})
        -- Rows locked in id order: two cancelAll of one service never deadlock on each other.
        ORDER BY id
        FOR UPDATE
      ), cancelled AS (
        UPDATE ${jobs} j SET ${cancelSet}
        FROM target t WHERE j.id = t.id
        RETURNING j.id, j.service, j.cancel_requested AND NOT t.was_requested AS newly_requested
      ), ${notifyCancel}
      SELECT id, service, newly_requested FROM cancelled WHERE ${afterCancelNotify}`,

    reschedule: `
      WITH rescheduled AS (
        UPDATE ${jobs} SET run_at = $2, schedule = coalesce($3::jsonb, schedule)
        WHERE id = $1
        RETURNING *
      ), ${notify('rescheduled', `${WAITING_SQL} AND locked_by IS NULL`)}
      SELECT * FROM rescheduled WHERE ${afterNotify}`,

    setProgress: `
      UPDATE ${jobs} SET progress = $3, progress_message = $4
      WHERE id = $1 AND locked_by = $2 AND status IN ('processing', 'cronjob')`,
    clean: `
      WITH gone AS (
        DELETE FROM ${jobs}
        -- Only finished jobs are cleaned; saying so lets the planner use the status index for every
        -- status it holds (all but completed, which the BRIN index of the service or a scan finds).
        WHERE service = $1 AND status = ANY($2::text[]) AND status <> 'processing'
        RETURNING status
      ), counted AS (
        INSERT INTO ${completedCounts} (service, delta)
        SELECT $1, -count(*) FROM gone WHERE status = 'completed' HAVING count(*) > 0
      )
      SELECT count(*) AS count, count(*) FILTER (WHERE status = 'completed') AS completed FROM gone`,
  };
}

/** The statuses the (service, status, id) index holds (migration 4): not running, not completed. */
const INDEXED_STATUS = `status NOT IN ('processing', 'completed')`;

/** A processing job whose worker vanished, with an attempt left / with none left (no cancel asked). */
const REQUEUE_LOST = `(NOT j.cancel_requested AND j.status = 'processing' AND j.attempts < j.max_attempts)`;
const FAIL_LOST = `(NOT j.cancel_requested AND j.status = 'processing' AND j.attempts >= j.max_attempts)`;

/** A job that waits and can be cancelled outright (a leased cron job is running). */
const CANCELLABLE_NOW = `(status IN ('queued', 'start later', 'delayed') OR (status = 'cronjob' AND locked_by IS NULL))`;

/** A running job: cancelling it only records the request for its worker. */
const RUNNING_NOW = `((status = 'processing' OR status = 'cronjob') AND locked_by IS NOT NULL)`;
