import type { JobRecord, JobStatus } from '../../jobs/job.js';
import { parseJsonText, toJobRecord } from '../job-row.js';

/**
 * What a claim returns, as an array in this order (the statement runs in raw mode): the columns it
 * did not set itself. Arrays, because better-sqlite3 builds a row object key by key: for a claim of
 * 500 jobs that was 40 % of the claim's time.
 */
export const CLAIMED = [
  'id', 'task', 'input', 'status', 'result', 'error', 'error_stack', 'attempts', 'max_attempts', 'created', 'completed',
  'run_at', 'schedule', 'timeout_ms', 'cancel_requested', 'priority', 'job_key',
] as const;
export const CLAIMED_COLUMNS = CLAIMED.join(', ');
export type ClaimedRow = [
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
  priority: number,
  key: string | null,
];
/** A column's position in a claimed row; the compiler checks that `name` is at `index`. */
function position<I extends number>(index: I, name: (typeof CLAIMED)[I]): I {
  void name;
  return index;
}
export const ID = position(0, 'id');
export const STATUS = position(3, 'status');
export const ATTEMPTS = position(7, 'attempts');
export const RUN_AT = position(11, 'run_at');
export const SCHEDULE = position(12, 'schedule');
export const PRIORITY = position(15, 'priority');

/** A due row read before its claim's UPDATE (CLAIM_SQL.leaseIds), as that UPDATE left the job. */
export function claimedNow(row: ClaimedRow): void {
  if (row[STATUS] !== 'cronjob') row[STATUS] = 'processing';
  row[ATTEMPTS] += 1;
}

/** A claimed row as a job record: the columns the claim set come from what it set them to. */
export function claimedRecord(
  [id, task, input, status, result, error, error_stack, attempts, max_attempts, created, completed, run_at, schedule, timeout_ms, cancel_requested, priority, job_key]: ClaimedRow,
  { service, now, workerId, until }: { service: string; now: number; workerId: string; until: number },
): JobRecord {
  return toJobRecord(
    {
      id, service, task, input, status, result, error, error_stack, attempts, max_attempts, created, started: now, completed,
      run_at, schedule, progress: null, progress_message: null, timeout_ms, locked_by: workerId, locked_until: until, cancel_requested, priority, job_key,
    },
    parseJsonText,
  );
}
