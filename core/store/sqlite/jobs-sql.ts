import { hasWaitingSql, nextRunAtSql } from '../priority-levels.js';
import { CANCELLABLE_SQL, HELD_SQL } from '../status-sets.js';

/** The statements of reading, counting and the small changes of a job, each run on its own. */
export const JOBS_SQL = {
  get: `SELECT * FROM jobs WHERE id = ?`,
  statusOf: `SELECT status FROM jobs WHERE id = ?`,
  start: `UPDATE jobs SET status = 'queued', run_at = 0 WHERE id = ? AND status = 'start later' RETURNING service`,
  reschedule: `UPDATE jobs SET run_at = @runAt, schedule = coalesce(@schedule, schedule) WHERE id = @id RETURNING *`,
  setProgress: `
    UPDATE jobs SET progress = @progress, progress_message = @message
    WHERE id = @id AND locked_by = @workerId AND ${HELD_SQL}`,
  clean: `DELETE FROM jobs WHERE service = ? AND status IN (SELECT value FROM json_each(?))`,
  countAll: `SELECT status, count(*) AS count FROM jobs GROUP BY status`,
  countService: `SELECT status, count(*) AS count FROM jobs WHERE service = ? GROUP BY status`,
  hasWaiting: hasWaitingSql('jobs', '@service', '@now'),
  nextRunAt: nextRunAtSql('jobs', '@service'),
  // A job's priority changes while it waits, no worker holding it: the jobs a cancel ends outright.
  setPriority: `UPDATE jobs SET priority = @priority WHERE id = @id AND ${CANCELLABLE_SQL} RETURNING *`,
} as const;
