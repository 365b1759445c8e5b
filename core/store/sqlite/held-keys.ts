import { KEY_HELD_SQL, keyExpiredSql } from '../key-rules.js';

/*
 * How SQLite finds the holder of a key without writing its key index at every claim.
 *
 * The rule of key-rules.ts decides who holds a key, as on every store. PostgreSQL indexes the
 * holders themselves (a unique index whose predicate is the rule), so a job leaves that index when
 * it starts or ends. On SQLite that removal, one b-tree delete per claimed job, was most of what
 * keys cost the processing. Here a job keeps `held_key` from the moment it takes its key until
 * another job takes the key (or the job is deleted), and the unique index is over `held_key`: at
 * most one job, the last one to take the key, can hold it. An insert or a retry reads that row,
 * applies the rule, and lets go of `held_key` if the row no longer holds. No claim, finish or
 * cancel writes the index.
 */

/** The last job of the service to take the key: the only one that can still hold it. */
export const LAST_TAKER_SQL = `SELECT * FROM jobs WHERE service = @service AND held_key = @key`;

/** The job `@id` lets go of its key; a `finished` key whose period is over is let go for good (`expired`). */
export const LET_GO_SQL = `
  UPDATE jobs SET held_key = NULL, key_scope = CASE WHEN ${keyExpiredSql('@now')} THEN 'expired' ELSE key_scope END
  WHERE id = @id`;

/** What a retried job sets: it takes its key again, unless it let it go for good. */
export const RETAKE_KEY_SET = `held_key = CASE WHEN key_scope = 'expired' THEN NULL ELSE job_key END`;

/** Before a retry of job `@id`: a job that took its key last but no longer holds it lets go, so the retried job can take it. */
export const LET_GO_FOR_RETRY_SQL = `UPDATE jobs SET held_key = NULL WHERE service = @service AND held_key = @key AND id <> @id AND NOT (${KEY_HELD_SQL})`;
