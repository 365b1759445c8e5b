/**
 * `claim_limited` and `claim_queued`: one gate's claim under the gate's advisory lock, as one
 * statement (one round trip instead of BEGIN, lock, claim, COMMIT). The lock is taken first; the
 * claim is the function's next statement, and each statement of a volatile function reads a
 * snapshot of its own, so the claim counts what every other claimer of the gate left committed
 * (a snapshot taken before the lock could miss a run another claimer just started). The lock is
 * released when the calling statement's transaction ends.
 *
 * Parameters, in the order both take them: $1 service, $2 now, $3 gate, $4 worker id, $5 lease
 * end, $6 at most, $7 only this job (or NULL). claim_limited: $8 concurrency, $9 rate count, $10
 * the rate window's start (NULL without a rate), $11 only these tasks (or NULL), $12 the lock key.
 * claim_queued: $8 only these tasks (or NULL), $9 the lock key. claim_limited, $13: the rate
 * window's end. The text is frozen here as the migration created it: a change to a claim is a new
 * migration that replaces its function.
 *
 * A window that ended counts nothing: claim_limited also removes up to 100 of the service's ended
 * windows (SKIP LOCKED: never waiting for, nor deadlocking with, another gate's claimer), so a
 * rate partitioned by customer does not keep a row per customer ever seen.
 */
/** Both claims' last step: the rows `due` locked become leased by $4 until $5 (as the plain claim's). */
const claimedCte = (s: string) => `claimed AS (
          UPDATE ${s}.jobs j SET
            status = CASE WHEN j.status = 'cronjob' THEN 'cronjob' ELSE 'processing' END,
            started = $2, attempts = j.attempts + 1, locked_by = $4, locked_until = $5, progress = NULL, progress_message = NULL
          FROM due WHERE j.ctid = due.ctid RETURNING j.*
        )`;

export const gateClaimFunctionsSql = (s: string) => `
      CREATE FUNCTION ${s}.claim_limited(text, bigint, text, text, bigint, int, bigint, int, int, bigint, text[], text, bigint)
      RETURNS SETOF ${s}.jobs LANGUAGE plpgsql VOLATILE AS $fn$
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended($12, 0));
        RETURN QUERY
        WITH room AS (
          SELECT greatest(0, least($6,
            coalesce($8 - (SELECT count(*) FROM ${s}.jobs r
              WHERE r.service = $1 AND r.gate = $3 AND r.locked_by IS NOT NULL AND substr(r.gate, 1, 9) = '["limit",')::int, $6),
            coalesce($9 - coalesce((SELECT w.claims FROM ${s}.gate_windows w WHERE w.service = $1 AND w.gate = $3 AND w.window_start = $10), 0), $6)
          )) AS n
        ), due AS (
          SELECT ctid FROM ${s}.jobs
          WHERE service = $1 AND gate = $3 AND status IN ('queued', 'delayed', 'cronjob') AND locked_by IS NULL AND run_at <= $2
            AND ($7 IS NULL OR id = $7)
            -- A claim limited to some tasks (an agent's) takes only theirs; the gate's other jobs still count.
            AND ($11 IS NULL OR task = ANY($11))
          ORDER BY run_at, id
          LIMIT (SELECT n FROM room)
          FOR UPDATE SKIP LOCKED
        ), ${claimedCte(s)}, counted AS (
          INSERT INTO ${s}.gate_windows AS w (service, gate, window_start, claims, window_end)
          SELECT $1, $3, $10, count(*), $13 FROM claimed HAVING count(*) > 0 AND $10 IS NOT NULL
          -- A window only moves forward: a claimer whose clock lags does not reset a newer one.
          ON CONFLICT (service, gate) DO UPDATE SET
            claims = CASE WHEN w.window_start = EXCLUDED.window_start THEN w.claims + EXCLUDED.claims
                          WHEN w.window_start < EXCLUDED.window_start THEN EXCLUDED.claims ELSE w.claims END,
            window_end = CASE WHEN w.window_start < EXCLUDED.window_start THEN EXCLUDED.window_end ELSE w.window_end END,
            window_start = greatest(w.window_start, EXCLUDED.window_start)
        )
        SELECT * FROM claimed;
        IF $10 IS NOT NULL THEN
          DELETE FROM ${s}.gate_windows WHERE ctid = ANY(ARRAY(
            SELECT ctid FROM ${s}.gate_windows WHERE service = $1 AND window_end <= $2 AND gate <> $3 LIMIT 100 FOR UPDATE SKIP LOCKED));
        END IF;
      END $fn$;

      CREATE FUNCTION ${s}.claim_queued(text, bigint, text, text, bigint, int, bigint, text[], text)
      RETURNS SETOF ${s}.jobs LANGUAGE plpgsql VOLATILE AS $fn$
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended($9, 0));
        RETURN QUERY
        WITH head AS (
          SELECT id FROM ${s}.jobs
          WHERE service = $1 AND gate = $3 AND status IN ('queued', 'delayed', 'processing') AND substr(gate, 1, 9) = '["queue",'
          ORDER BY id LIMIT 1
        ), due AS (
          SELECT ctid FROM ${s}.jobs
          WHERE id = (SELECT id FROM head) AND service = $1 AND status IN ('queued', 'delayed', 'cronjob') AND locked_by IS NULL
            AND run_at <= $2 AND $6 > 0 AND ($7 IS NULL OR id = $7) AND ($8 IS NULL OR task = ANY($8))
          FOR UPDATE SKIP LOCKED
        ), ${claimedCte(s)}
        SELECT * FROM claimed;
      END $fn$;`;
