import { FINISHED_SQL } from '../retention-rules.js';
import { CANCELLABLE_SQL, HELD_SQL } from '../status-sets.js';

/** The statuses the (service, status, id) index holds (migration 15): not running, not completed. */
export const INDEXED_STATUS = `status NOT IN ('processing', 'completed')`;

/** The statements of reading, counting and the small changes of a job, each run on its own. */
export const JOBS_SQL = {
  get: `SELECT * FROM jobs WHERE id = ?`,
  statusOf: `SELECT status FROM jobs WHERE id = ?`,
  start: `UPDATE jobs SET status = 'queued', run_at = 0 WHERE id = ? AND status = 'start later' RETURNING service`,
  reschedule: `UPDATE jobs SET run_at = @runAt, schedule = coalesce(@schedule, schedule) WHERE id = @id RETURNING *`,
  setProgress: `
    UPDATE jobs SET progress = @progress, progress_message = @message
    WHERE id = @id AND locked_by = @workerId AND ${HELD_SQL}`,
  // The final statuses spelled out too: clean() takes no other, and so the finished-jobs index applies.
  clean: `DELETE FROM jobs WHERE service = ? AND status IN (SELECT value FROM json_each(?)) AND ${FINISHED_SQL}`,
  // Running jobs are counted from the lease index (named: the planner may prefer walking the
  // service's rows, but the running jobs of every service are few), completed ones from
  // completed_counts, the others from the status index (migration 15).
  countAll: `
    SELECT status, count(*) AS count FROM jobs WHERE ${INDEXED_STATUS} GROUP BY status
    UNION ALL SELECT 'processing', count(*) FROM jobs INDEXED BY jobs_leased WHERE status = 'processing' AND locked_by IS NOT NULL
    UNION ALL SELECT 'completed', coalesce(sum(count), 0) FROM completed_counts`,
  countService: `
    SELECT status, count(*) AS count FROM jobs WHERE service = @service AND ${INDEXED_STATUS} GROUP BY status
    UNION ALL SELECT 'processing', count(*) FROM jobs INDEXED BY jobs_leased WHERE service = @service AND status = 'processing' AND locked_by IS NOT NULL
    UNION ALL SELECT 'completed', coalesce(sum(count), 0) FROM completed_counts WHERE service = @service`,
  // A job's priority changes while it waits, no worker holding it: the jobs a cancel ends outright.
  setPriority: `UPDATE jobs SET priority = @priority WHERE id = @id AND ${CANCELLABLE_SQL} RETURNING *`,
} as const;
