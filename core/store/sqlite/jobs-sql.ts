import { WAITING_SQL, HELD_SQL } from '../status-sets.js';

/** The statements of reading, counting and the small changes of a job, each run on its own. */
export const JOBS_SQL = {
  get: `SELECT * FROM jobs WHERE id = ?`,
  start: `UPDATE jobs SET status = 'queued', run_at = 0 WHERE id = ? AND status = 'start later' RETURNING service`,
  reschedule: `UPDATE jobs SET run_at = @runAt, schedule = coalesce(@schedule, schedule) WHERE id = @id RETURNING *`,
  setProgress: `
    UPDATE jobs SET progress = @progress, progress_message = @message
    WHERE id = @id AND locked_by = @workerId AND ${HELD_SQL}`,
  clean: `DELETE FROM jobs WHERE service = ? AND status IN (SELECT value FROM json_each(?))`,
  countAll: `SELECT status, count(*) AS count FROM jobs GROUP BY status`,
  countService: `SELECT status, count(*) AS count FROM jobs WHERE service = ? GROUP BY status`,
  hasWaiting: `SELECT 1 FROM jobs WHERE service = ? AND ${WAITING_SQL} AND run_at <= ? AND locked_by IS NULL LIMIT 1`,
  nextRunAt: `SELECT run_at FROM jobs WHERE service = ? AND ${WAITING_SQL} AND locked_by IS NULL ORDER BY run_at, id LIMIT 1`,
} as const;
