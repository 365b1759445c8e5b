import type { Database, Statement } from 'better-sqlite3';
import type { JobRecord } from '../../jobs/job.js';
import type { NewJob } from '../job-store.js';
import { insertedRow, parseJsonText, toJobRecord } from '../job-row.js';
import type { WakeHub } from '../wake-hub.js';

const COLUMNS = 'service, task, input, status, max_attempts, created, run_at, schedule, timeout_ms, priority, gate';
const ROW_PARAMETERS = `(${COLUMNS.split(', ').map(() => '?').join(', ')})`;
/** Rows per INSERT at most (11 parameters each, far below SQLite's limit of 32,766); a larger batch takes several. */
const MAX_ROWS_PER_INSERT = 100;

/**
 * INSERT statements of 1 to MAX_ROWS_PER_INSERT rows, each prepared when a batch of its size first
 * comes. One statement per batch opens the cursors of the table and of its dozen indexes once,
 * where a statement per row opened them for every row: 9 µs per row instead of 14 in batches of 32.
 */
export class JobInsertStatements {
  readonly #bySize = new Map<number, Statement>();

  constructor(private readonly db: Database) {}

  /** The statement that inserts `rows` rows and returns their ids. */
  of(rows: number): Statement {
    let statement = this.#bySize.get(rows);
    if (!statement) {
      const values = Array.from({ length: rows }, () => ROW_PARAMETERS).join(', ');
      statement = this.db.prepare(`INSERT INTO jobs (${COLUMNS}) VALUES ${values} RETURNING id`).pluck(true);
      this.#bySize.set(rows, statement);
    }
    return statement;
  }
}

/** Inserts the jobs in one transaction and wakes their services. */
export function insertJobs(db: Database, statements: JobInsertStatements, wakes: WakeHub, jobs: NewJob[]): JobRecord[] {
  if (jobs.length === 0) return [];
  const insertAll = db.transaction(() => {
    const records: JobRecord[] = [];
    for (let first = 0; first < jobs.length; first += MAX_ROWS_PER_INSERT) {
      const chunk = jobs.slice(first, first + MAX_ROWS_PER_INSERT);
      const inputs = chunk.map((job) => JSON.stringify(job.input ?? null));
      const schedules = chunk.map((job) => (job.schedule === null ? null : JSON.stringify(job.schedule)));
      const values = chunk.flatMap((job, i) => [
        job.service, job.task, inputs[i], job.status, job.maxAttempts, job.created, job.runAt,
        schedules[i], job.timeout ?? null, job.priority ?? 0, job.gate ?? null,
      ]);
      // RETURNING's order is not the rows' order, but AUTOINCREMENT gives each row of one
      // statement the next larger id, in the order of VALUES: sorted, the ids are the rows'.
      const ids = (statements.of(chunk.length).all(values) as number[]).sort((a, b) => a - b);
      chunk.forEach((job, i) => {
        // Parsed back from the stored text: the caller's object is not shared with the record.
        records.push(toJobRecord(insertedRow(ids[i], job, inputs[i], schedules[i]), parseJsonText));
      });
    }
    return records;
  });
  const records = insertAll.immediate();
  for (const record of records) {
    if (record.status !== 'start later') wakes.wake(record.service);
  }
  return records;
}
