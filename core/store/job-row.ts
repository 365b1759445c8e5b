import type { JobRecord, JobStatus, Schedule } from '../jobs/job.js';
import type { NewJob } from './job-store.js';

/**
 * A job as every store keeps it: the columns of the SQL stores' `jobs` table, which the memory
 * store keeps too. `Json` is how a JSON value is held: as text (SQLite, memory) or decoded (the
 * PostgreSQL driver decodes jsonb). SQLite has no booleans: its cancel flag is 0 or 1.
 */
export interface JobRow<Json = unknown> {
  id: number;
  service: string;
  task: string;
  input: Json;
  status: JobStatus;
  result: Json | null;
  error: string | null;
  error_stack: string | null;
  attempts: number;
  max_attempts: number;
  created: number;
  started: number | null;
  completed: number | null;
  run_at: number;
  schedule: Json | null;
  progress: number | null;
  progress_message: string | null;
  timeout_ms: number | null;
  priority: number;
  job_key: string | null;
  /** How long the key holds, and for `finished` for how long after: read by the stores' key rules, not by the record. */
  key_scope?: string | null;
  key_period_ms?: number | null;
  locked_by: string | null;
  locked_until: number | null;
  cancel_requested: boolean | number;
  /** The job's gate (core/store/gate-rules.ts); NULL for most. */
  gate?: string | null;
  /** Flows and batches (core/store/job-flows.ts); absent in rows of stores that have none. */
  batch_id?: number | null;
  /** How many parents it still waits for; null: it has none. */
  parents_left?: number | null;
  on_parent_failure?: string | null;
  /** Whether other jobs wait for it: only such a job's end is looked at by the dependency rules. */
  has_children?: boolean | number;
}

/** Reads a JSON value as the store holds it. */
export type JsonReader<Json> = (value: Json | null) => unknown;

/** For stores that hold JSON as text: a fresh value for each read, shared with nobody. */
export const parseJsonText: JsonReader<string> = (text) => (text === null ? null : JSON.parse(text));

/** For a driver that hands JSON over decoded. */
export const decodedJson: JsonReader<unknown> = (value) => value;

/** JSON text of a value to store, NULL for none (undefined and null). */
export function jsonText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return JSON.stringify(value) ?? null;
}

/** The one row → record mapping of every store. */
export function toJobRecord<Json>(row: JobRow<Json>, readJson: JsonReader<Json>): JobRecord {
  return {
    id: row.id,
    service: row.service,
    task: row.task,
    input: readJson(row.input),
    status: row.status,
    result: readJson(row.result),
    error: row.error,
    errorStack: row.error_stack,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    created: row.created,
    started: row.started,
    completed: row.completed,
    runAt: row.run_at,
    schedule: readJson(row.schedule) as Schedule | null,
    progress: row.progress,
    progressMessage: row.progress_message,
    timeout: row.timeout_ms,
    priority: row.priority,
    key: row.job_key,
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until,
    cancelRequested: Boolean(row.cancel_requested),
    gate: row.gate ?? null,
    batchId: row.batch_id ?? null,
  };
}

/** The row of a job just inserted under `id`, its JSON already as text: nothing ran yet. */
export function insertedRow(id: number, job: NewJob, input: string, schedule: string | null): JobRow<string> & { cancel_requested: boolean } {
  return {
    id,
    service: job.service,
    task: job.task,
    input,
    status: job.status,
    result: null,
    error: null,
    error_stack: null,
    attempts: 0,
    max_attempts: job.maxAttempts,
    created: job.created,
    started: null,
    completed: null,
    run_at: job.runAt,
    schedule,
    progress: null,
    progress_message: null,
    timeout_ms: job.timeout ?? null,
    priority: job.priority ?? 0,
    job_key: job.key ?? null,
    key_scope: job.key == null ? null : (job.keyScope ?? 'waiting'),
    key_period_ms: job.key == null ? null : (job.keyPeriodMs ?? null),
    locked_by: null,
    locked_until: null,
    cancel_requested: false,
    gate: job.gate ?? null,
  };
}
