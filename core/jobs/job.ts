/** The statuses of the seed, spelled exactly as it spells them. */
export const JOB_STATUSES = [
  'queued',
  'processing',
  'cancelled',
  'error',
  'completed',
  'delayed',
  'cronjob',
  'start later',
  // Not the seed's: a job that waits for other jobs (its parents) to end before it is queued.
  'blocked',
] as const;

export type JobStatus = (typeof JOB_STATUSES)[number];

/** Statuses a job never leaves by itself: the only ones `clean()` may remove. */
export const FINAL_STATUSES: readonly JobStatus[] = ['cancelled', 'error', 'completed'];

/** Statuses whose jobs wait for a processor (due when `runAt <= now`), claimable while no worker holds them. */
export const WAITING_STATUSES: readonly JobStatus[] = ['queued', 'delayed', 'cronjob'];

/** Statuses a worker holds a job in while it runs it (a cron job keeps its status while it runs). */
export const HELD_STATUSES: readonly JobStatus[] = ['processing', 'cronjob'];

/** Final statuses a job can be retried from: it failed, or was cancelled. */
export const RETRYABLE_STATUSES = ['error', 'cancelled'] as const satisfies readonly JobStatus[];
export type RetryableStatus = (typeof RETRYABLE_STATUSES)[number];

/** Statuses a job is cancelled from outright while no worker holds it (one held is only asked to stop). */
export const CANCELLABLE_STATUSES: readonly JobStatus[] = ['queued', 'start later', 'delayed', 'cronjob', 'blocked'];

/**
 * When a job runs, besides "as soon as possible".
 * - the seed's field lists: every given field must match (`dayOfWeek` 0 = Monday);
 * - `{ delay }`: seconds after it was added (a delayed job runs once);
 * - `{ cron, tz }`: a standard cron expression in an IANA time zone (UTC by default).
 */
export interface FieldSchedule {
  minute?: number[];
  hour?: number[];
  dayOfMonth?: number[];
  month?: number[];
  dayOfWeek?: number[];
}
export interface DelaySchedule {
  delay: number;
}
export interface CronExpressionSchedule {
  cron: string;
  tz?: string;
}
export type Schedule = FieldSchedule | DelaySchedule | CronExpressionSchedule;

export function isDelaySchedule(schedule: Schedule): schedule is DelaySchedule {
  return typeof (schedule as DelaySchedule).delay === 'number';
}

/** One job as the store keeps it. Times are milliseconds since the epoch (UTC). */
export interface JobRecord {
  id: number;
  /** The address of the service that owns the job: `site@Service`, `@Service` for the root site. */
  service: string;
  task: string;
  input: unknown;
  status: JobStatus;
  /** For a cron job, the result of its last run. */
  result: unknown;
  error: string | null;
  errorStack: string | null;
  attempts: number;
  maxAttempts: number;
  created: number;
  started: number | null;
  completed: number | null;
  /** When the job is due: 0 for a fresh queued job (at once), the next call for cron and delayed jobs. */
  runAt: number;
  schedule: Schedule | null;
  progress: number | null;
  progressMessage: string | null;
  /** A time limit for each run of this job (ms), over the task's and the service's; null: none of its own. */
  timeout: number | null;
  /** Lower runs first (graphile-worker's and Oban's convention), 0 by default; first come first served within one. */
  priority: number;
  /** Unique within its service while it holds it (see `KeyScope`); null: none. */
  key: string | null;
  /** The worker that holds the job while it runs, and until when its lease holds. */
  lockedBy: string | null;
  lockedUntil: number | null;
  cancelRequested: boolean;
  /** The limit or serial queue the job passes before it runs (see core/store/gate-rules.ts); null: none. */
  gate?: string | null;
  /** The batch the job belongs to (a member, or its callback), or null (see core/store/job-flows.ts). */
  batchId: number | null;
}
