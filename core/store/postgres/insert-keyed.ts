import type { JobRecord } from '../../jobs/job.js';
import type { KeyedInsert, NewJob, OnKeyTaken } from '../job-store.js';
import { decodedJson, jsonText, toJobRecord, type JobRow } from '../job-row.js';
import { KEY_HELD_SQL, REPLACEABLE_STATUSES, keyExpiredSql } from '../key-rules.js';
import { WAITING_SQL, isWaiting } from '../status-sets.js';
import { afterAnnounce, afterNotify, announceAdded, notify } from './notify.js';
import type { PostgresContext } from './postgres-context.js';
import { sqlText } from './tables.js';

const expireText = sqlText(({ jobs }) => `
      UPDATE ${jobs} SET key_scope = 'expired' WHERE service = $1 AND job_key = $2 AND ${keyExpiredSql('$3')}`);

const columns = 'service, task, input, status, max_attempts, created, run_at, schedule, timeout_ms, priority, job_key, key_scope, key_period_ms, gate';
const values = '$1, $2, $3::jsonb, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13, $14';
const replaceable = REPLACEABLE_STATUSES.map((status) => `'${status}'`).join(', ');

// The unique index decides, in the insert itself: of two processes adding one key, one inserts and
// the other finds the conflict. `replace` updates the holder in the same statement, while it waits.
// A new job is announced as `added` to the other processes by the statement, as insert.ts does.
const insertText = (onConflict: string) =>
  sqlText(({ jobs }) => `
      WITH inserted AS (
        INSERT INTO ${jobs} AS j (${columns}) VALUES (${values})
        ON CONFLICT (service, job_key) WHERE ${KEY_HELD_SQL} ${onConflict}
        RETURNING j.*, (j.xmax = 0) AS inserted_now
      ), ${notify('inserted', WAITING_SQL)}, ${announceAdded('inserted', 'inserted_now')}
      SELECT * FROM inserted WHERE ${afterNotify} AND ${afterAnnounce}`);
const keepText = insertText('DO NOTHING');
const replaceText = insertText(`
        DO UPDATE SET input = EXCLUDED.input,
          schedule = coalesce(EXCLUDED.schedule, j.schedule),
          run_at = CASE WHEN EXCLUDED.schedule IS NULL THEN j.run_at ELSE EXCLUDED.run_at END
        WHERE j.status IN (${replaceable}) AND j.locked_by IS NULL`);

const holderText = sqlText(({ jobs }) => `SELECT * FROM ${jobs} WHERE service = $1 AND job_key = $2 AND ${KEY_HELD_SQL}`);

/** Inserts a keyed job unless a job of its service holds the key; see JobStore.insertKeyed. */
export async function insertKeyedJob(ctx: PostgresContext, job: NewJob & { key: string }, onKeyTaken: OnKeyTaken, now: number): Promise<KeyedInsert> {
  await ctx.query({ name: 'remotetask-key-expire', text: expireText(ctx.tables), values: [job.service, job.key, now] });
  // The holder may let the key go between the conflict and the read: then the insert is tried again.
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const { rows } = await ctx.query<JobRow & { inserted_now: boolean }>({
      name: onKeyTaken === 'replace' ? 'remotetask-insert-keyed-replace' : 'remotetask-insert-keyed-keep',
      text: (onKeyTaken === 'replace' ? replaceText : keepText)(ctx.tables),
      values: [
        job.service, job.task, jsonText(job.input ?? null), job.status, job.maxAttempts, job.created, job.runAt,
        jsonText(job.schedule), job.timeout ?? null, job.priority ?? 0, job.key, job.keyScope ?? 'waiting', job.keyPeriodMs ?? null, job.gate ?? null,
      ],
    });
    const row = rows[0];
    if (row) {
      if (isWaiting(row.status) && row.locked_by === null) ctx.wakeLocally([row.service]);
      return { job: record(row), outcome: row.inserted_now ? 'created' : 'replaced' };
    }
    const holder = await ctx.query<JobRow>({ name: 'remotetask-key-holder', text: holderText(ctx.tables), values: [job.service, job.key] });
    if (holder.rows[0]) return { job: record(holder.rows[0]), outcome: 'existing' };
  }
  throw new Error(`the key "${job.key}" of ${job.service} kept changing hands while a job was added with it; try again`);
}

function record(row: JobRow & { inserted_now?: boolean }): JobRecord {
  const { inserted_now: _insertedNow, ...jobRow } = row;
  return toJobRecord(jobRow, decodedJson);
}
