import type { Database, Statement } from 'better-sqlite3';
import type { JobRecord } from '../../jobs/job.js';
import type { NewJob } from '../job-store.js';
import { insertedRow, parseJsonText, toJobRecord } from '../job-row.js';
import type { WakeHub } from '../wake-hub.js';
import { transaction } from './sqlite-statements.js';

const COLUMNS = 'service, task, input, status, max_attempts, created, run_at, schedule, timeout_ms, priority, gate';
const ROW_PARAMETERS = `(${COLUMNS.split(', ').map(() => '?').join(', ')})`;
/** Rows per INSERT at most (11 parameters each, far below SQLite's limit of 32,766); a larger batch takes several. */
const MAX_ROWS_PER_INSERT = 100;

/**
 * INSERT statements of 1 to MAX_ROWS_PER_INSERT rows, each prepared when a batch of its size first
 * comes. One statement per batch opens the cursors of the table and of its dozen indexes once,
 * where a statement per row opened them for every row: about 9 µs per row instead of 14 in batches of 32.
 */
export class JobInsertStatements {
  readonly #bySize = new Map<number, Statement>();

  constructor(private readonly db: Database) {}

  /** The statement that inserts `rows` rows. */
  of(rows: number): Statement {
    let statement = this.#bySize.get(rows);
    if (!statement) {
      const values = Array.from({ length: rows }, () => ROW_PARAMETERS).join(', ');
      statement = this.db.prepare(`INSERT INTO jobs (${COLUMNS}) VALUES ${values}`);
      this.#bySize.set(rows, statement);
    }
    return statement;
  }
}

/** Inserts the jobs in one transaction and wakes their services. */
export function insertJobs(db: Database, statements: JobInsertStatements, wakes: WakeHub, jobs: NewJob[]): JobRecord[] {
  if (jobs.length === 0) return [];
  const insertAll = transaction(db, () => {
    const records: JobRecord[] = [];
    for (let first = 0; first < jobs.length; first += MAX_ROWS_PER_INSERT) {
      const chunk = jobs.slice(first, first + MAX_ROWS_PER_INSERT);
      const values: unknown[] = [];
      const texts: { input: string; schedule: string | null }[] = [];
      for (const job of chunk) {
        const input = JSON.stringify(job.input ?? null);
        const schedule = job.schedule === null ? null : JSON.stringify(job.schedule);
        texts.push({ input, schedule });
        values.push(job.service, job.task, input, job.status, job.maxAttempts, job.created, job.runAt,
          schedule, job.timeout ?? null, job.priority ?? 0, job.gate ?? null);
      }
      // AUTOINCREMENT gives each row of one statement the next id, in the order of VALUES (the
      // file is this connection's alone): the rows' ids end at the last one inserted. Cheaper than
      // RETURNING, which cost a single-job insert a sixth of its throughput.
      const { changes, lastInsertRowid } = statements.of(chunk.length).run(values);
      if (changes !== chunk.length) throw new Error(`inserting ${chunk.length} jobs wrote ${changes} rows`);
      const firstId = Number(lastInsertRowid) - chunk.length + 1;
      chunk.forEach((job, i) => {
        // Parsed back from the stored text: the caller's object is not shared with the record.
        records.push(toJobRecord(insertedRow(firstId + i, job, texts[i].input, texts[i].schedule), parseJsonText));
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
