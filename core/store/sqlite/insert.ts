import type { Database } from 'better-sqlite3';
import type { JobRecord } from '../../jobs/job.js';
import type { NewJob } from '../job-store.js';
import { insertedRow, parseJsonText, toJobRecord } from '../job-row.js';
import type { WakeHub } from '../wake-hub.js';
import type { Prepared } from './sqlite-statements.js';

export const INSERT_SQL = {
  insert: `INSERT INTO jobs (service, task, input, status, max_attempts, created, run_at, schedule, timeout_ms, priority, gate)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
} as const;

/** Inserts the jobs in one transaction and wakes their services. */
export function insertJobs(db: Database, sql: Prepared<typeof INSERT_SQL>, wakes: WakeHub, jobs: NewJob[]): JobRecord[] {
  if (jobs.length === 0) return [];
  const insertAll = db.transaction(() =>
    jobs.map((job): JobRecord => {
      const input = JSON.stringify(job.input ?? null);
      const schedule = job.schedule === null ? null : JSON.stringify(job.schedule);
      const { lastInsertRowid } = sql.insert.run(
        job.service,
        job.task,
        input,
        job.status,
        job.maxAttempts,
        job.created,
        job.runAt,
        schedule,
        job.timeout ?? null,
        job.priority ?? 0,
        job.gate ?? null,
      );
      // Parsed back from the stored text: the caller's object is not shared with the record.
      return toJobRecord(insertedRow(Number(lastInsertRowid), job, input, schedule), parseJsonText);
    }),
  );
  const records = insertAll.immediate();
  for (const record of records) {
    if (record.status !== 'start later') wakes.wake(record.service);
  }
  return records;
}
