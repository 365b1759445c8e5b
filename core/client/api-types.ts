/**
 * The JSON the web service speaks, shared by the server (plugins/http) and the client. Times are
 * ISO 8601 strings in UTC.
 */
import type { JobStatus, Schedule } from '../jobs/job.js';
import type { JobEventType } from '../service/job-events.js';
import type { JobSortKey } from '../store/job-store.js';

export type { JobStatus, Schedule, JobEventType, JobSortKey };

/** Every error: `{ error: { code, message, details? } }`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export interface ServiceJson {
  name: string;
  /** `site@Service`, `@Service` for the root site. */
  address: string;
  site: string;
  processing: boolean;
  /** The processor kind: `simple` runs one job at a time, `multi` up to `maxConcurrency`. */
  processor: 'simple' | 'multi';
  maxConcurrency: number;
}

export interface SiteJson {
  /** `''` for the root site. */
  name: string;
  services: ServiceJson[];
}

export interface TaskJson {
  name: string;
  description: string | null;
  /** The JSON Schema jobs' input must match, or null when the task takes anything. */
  inputSchema: unknown;
}

export interface JobJson {
  id: number;
  service: string;
  task: string;
  status: JobStatus;
  input: unknown;
  /** For a cron job, its last run's result. */
  result: unknown;
  error: string | null;
  attempts: number;
  maxAttempts: number;
  created: string;
  started: string | null;
  completed: string | null;
  /** When a delayed, cron or retrying job is due next; null when it is due at once or never. */
  nextRunAt: string | null;
  schedule: Schedule | null;
  progress: number | null;
  progressMessage: string | null;
  cancelRequested: boolean;
  /** The job's own time limit per run (ms), or null. */
  timeout: number | null;
  /** Lower runs first; 0 by default. */
  priority: number;
  /** Unique within the service while the job holds it; null: none. */
  key: string | null;
  /** The serial queue the job runs in (one job of it at a time, in the order added); null: none. */
  queue?: string | null;
  /** The fleet-wide limit the job runs under (and its partition); null: none. */
  limit?: { name: string; partition?: unknown } | null;
  /** On a single job's read: why it waits behind its limit or queue now; null when it does not. */
  heldBy?: { limit?: string; queue?: string; partition?: unknown; reason: string } | null;
  /** The batch the job belongs to (a member or its callback), or null. */
  batchId: number | null;
}

/** One run of a job that ended (`GET …/jobs/{id}/attempts`), newest first; times as ISO strings. */
export interface JobAttemptJson {
  attempt: number;
  started: string | null;
  ended: string;
  /** The worker id (process) that ran it. */
  workerId: string;
  outcome: 'completed' | 'failed' | 'retry' | 'cancelled' | 'snoozed' | 'released' | 'lost';
  /** At most 2,048 characters. */
  error: string | null;
  /** At most 8,192 characters. */
  errorStack: string | null;
}

export interface JobPageJson {
  jobs: JobJson[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface JobCreatedJson {
  id: number;
  status: JobStatus;
  /** For a job added with a key: `created`, or the job holding the key (`existing`, or `replaced` with the new input). */
  outcome?: 'created' | 'existing' | 'replaced';
}

export interface JobEventJson {
  type: JobEventType;
  service: string;
  jobId: number;
  task: string;
  status: JobStatus;
  time: string;
  progress?: number;
  message?: string;
  error?: string;
}

/**
 * What `POST /api/files` answers (a route of the files plugin, whose `FileJson` says the rest):
 * at least the file's id and where to download it.
 */
export interface UploadedFile {
  id: string;
  /** Where to download it: `/api/files/{id}`. */
  url: string;
  [field: string]: unknown;
}

export interface JobListQuery {
  status?: JobStatus | JobStatus[];
  task?: string;
  limit?: number;
  cursor?: string;
  sort?: JobSortKey | `-${JobSortKey}`;
}

/** The schedule fields of a cron or delayed job, as `POST …/cronjobs` and `PATCH …/jobs/{id}` take them. */
export interface ScheduleJson {
  minute?: number | number[];
  hour?: number | number[];
  dayOfMonth?: number | number[];
  month?: number | number[];
  dayOfWeek?: number | number[];
  delay?: number;
  cron?: string;
  tz?: string;
}

/** A process of the registry (`GET /api/workers`): a web server or a worker, and what it runs. */
export interface WorkerJson {
  id: string;
  host: string;
  pid: number;
  role: string;
  version: string;
  services: { address: string; concurrency: number }[];
  started: string;
  heartbeat: string;
  ttlMs: number;
  /** It stopped beating: killed, or cut off from the store. */
  lost: boolean;
  /** Told to drain: it claims nothing and finishes what it runs. */
  draining: boolean;
  /** The runs that ended in it (completed, failed, retried): in all, and in the minute before its last beat. Absent for older versions. */
  finished?: { total: number; lastMinute: number };
  jobs: { id: number; service: string; task: string; started: string | null }[];
}

export interface WorkersJson {
  now: string;
  workers: WorkerJson[];
}
