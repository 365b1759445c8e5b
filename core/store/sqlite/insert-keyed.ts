import type { Database } from 'better-sqlite3';
import type { KeyedInsert, NewJob, OnKeyTaken } from '../job-store.js';
import { parseJsonText, toJobRecord, type JobRow } from '../job-row.js';
import { REPLACEABLE_STATUSES, holdsKey, keyExpired } from '../key-rules.js';
import type { WakeHub } from '../wake-hub.js';
import type { KeyedAnswer, KeyedRequest } from '../keyed-insert-batching.js';
import { LAST_TAKER_SQL, LET_GO_SQL } from './held-keys.js';
import { transaction, wakeIfWaiting, type ChangedRow, type Prepared } from './sqlite-statements.js';

const replaceable = REPLACEABLE_STATUSES.map((status) => `'${status}'`).join(', ');

export const INSERT_KEYED_SQL = {
  lastKeyTaker: LAST_TAKER_SQL,
  letGoOfKey: LET_GO_SQL,
  insertKeyed: `
    INSERT INTO jobs (service, task, input, status, max_attempts, created, run_at, schedule, timeout_ms, priority, job_key, held_key, key_scope, key_period_ms, gate)
    VALUES (@service, @task, @input, @status, @maxAttempts, @created, @runAt, @schedule, @timeout, @priority, @key, @key, @keyScope, @keyPeriodMs, @gate)
    RETURNING *`,
  replaceKeyed: `
    UPDATE jobs SET input = @input, schedule = coalesce(@schedule, schedule),
      run_at = CASE WHEN @schedule IS NULL THEN run_at ELSE @runAt END
    WHERE id = @id AND status IN (${replaceable}) AND locked_by IS NULL
    RETURNING *`,
} as const;

type KeyedRow = { row: JobRow<string> & ChangedRow; outcome: KeyedInsert['outcome'] };

/**
 * Inside a transaction (the file is this process's alone): the last job to take the key still
 * holds it (keep or replace), or it lets go (see held-keys.ts) and the new job takes the key.
 */
function applyKeyed(sql: Prepared<typeof INSERT_KEYED_SQL>, job: NewJob & { key: string }, onKeyTaken: OnKeyTaken, now: number): KeyedRow {
  const params = {
    service: job.service, task: job.task, input: JSON.stringify(job.input ?? null), status: job.status,
    maxAttempts: job.maxAttempts, created: job.created, runAt: job.runAt,
    schedule: job.schedule === null ? null : JSON.stringify(job.schedule), timeout: job.timeout ?? null,
    priority: job.priority ?? 0, key: job.key, keyScope: job.keyScope ?? 'waiting', keyPeriodMs: job.keyPeriodMs ?? null, gate: job.gate ?? null,
  };
  const holder = sql.lastKeyTaker.get({ service: job.service, key: job.key }) as (JobRow<string> & ChangedRow) | undefined;
  if (!holder || !holdsKey(holder) || keyExpired(holder, now)) {
    if (holder) sql.letGoOfKey.run({ id: holder.id, now });
    return { row: sql.insertKeyed.get(params) as JobRow<string> & ChangedRow, outcome: 'created' };
  }
  if (onKeyTaken === 'replace') {
    const replaced = sql.replaceKeyed.get({ id: holder.id, input: params.input, schedule: params.schedule, runAt: params.runAt });
    if (replaced) return { row: replaced as JobRow<string> & ChangedRow, outcome: 'replaced' };
  }
  return { row: holder, outcome: 'existing' };
}

/**
 * Keyed adds in one transaction, one after the other in the order given, each in a savepoint of
 * its own: one that fails (its input or schedule cannot be stored) is undone alone and answered
 * with its error. Services are woken once the whole batch is committed.
 */
export function insertKeyedJobs(db: Database, sql: Prepared<typeof INSERT_KEYED_SQL>, wakes: WakeHub, requests: KeyedRequest[]): KeyedAnswer[] {
  // Inside the batch's transaction, a savepoint; alone, a transaction.
  const attempt = ({ job, onKeyTaken, now }: KeyedRequest): KeyedRow | { error: unknown } => {
    try {
      return transaction(db, () => applyKeyed(sql, job, onKeyTaken, now)).immediate();
    } catch (error) {
      return { error };
    }
  };
  // One add alone needs no savepoint: its transaction is undone whole when it fails.
  const applied = requests.length === 1 ? [attempt(requests[0])] : transaction(db, () => requests.map(attempt)).immediate();
  return applied.map((answer) => {
    if ('error' in answer) return answer;
    if (answer.outcome !== 'existing') wakeIfWaiting(wakes, answer.row);
    return { insert: { job: toJobRecord(answer.row, parseJsonText), outcome: answer.outcome } };
  });
}
