import { describeGate, type JobRecord } from 'remotetask';
import type { JobJson } from 'remotetask/client';

/** Dates can only hold times up to year 275760; stores use MAX_SAFE_INTEGER for "never". */
const LATEST_DATE_MS = 8.64e15;

export function isoTime(ms: number): string;
export function isoTime(ms: number | null): string | null;
export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** A job as the API shows it: times as ISO strings, without the worker's lease bookkeeping or stack traces. */
export function toJobJson(job: JobRecord): JobJson {
  return {
    id: job.id,
    service: job.service,
    task: job.task,
    status: job.status,
    input: job.input,
    result: job.result ?? null,
    error: job.error,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    created: isoTime(job.created),
    started: isoTime(job.started),
    completed: isoTime(job.completed),
    nextRunAt: job.runAt > 0 && job.runAt <= LATEST_DATE_MS ? isoTime(job.runAt) : null,
    schedule: job.schedule,
    progress: job.progress,
    progressMessage: job.progressMessage,
    cancelRequested: job.cancelRequested,
    timeout: job.timeout,
    priority: job.priority,
    key: job.key,
    ...describeGate(job.gate),
    batchId: job.batchId,
  };
}
