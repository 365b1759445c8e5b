import type { MemoryRow } from './job-rules.js';
import { isRetryable } from '../retry-rules.js';

/** Applies `retry` to a memory row when it is retryable; returns whether it did. */
export function retryJob(job: MemoryRow): boolean {
  if (!isRetryable(job.status, job.locked_by !== null, job.schedule)) return false;
  job.status = 'queued';
  job.run_at = 0;
  job.attempts = 0;
  job.started = null;
  job.completed = null;
  job.result = null;
  job.progress = null;
  job.progress_message = null;
  job.locked_by = null;
  job.locked_until = null;
  job.cancel_requested = false;
  return true;
}
