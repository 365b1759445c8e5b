import { JOB_STATUSES, type JobStatus } from '../jobs/job.js';

// What every store shares, so that the three stores say and do the same.

/** The message of a job whose worker vanished while it held the job's last attempt. */
export const LOST_WORKER_ERROR = 'the worker running this job was lost (its lease expired) and no attempt is left';

/** The runAt of a cron job whose schedule has no next occurrence: never due. */
export const NEVER_DUE = Number.MAX_SAFE_INTEGER;

/** A count for every status, all zero. */
export function zeroCounts(): Record<JobStatus, number> {
  return Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
}
