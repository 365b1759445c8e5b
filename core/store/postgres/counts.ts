import type { JobStatus } from '../../jobs/job.js';
import { zeroCounts } from '../store-rules.js';
import type { Queries } from './connection.js';
import { sqlText, type Tables } from './tables.js';

/** The statuses the (service, status, id) index holds (migration 4): not running, not completed. */
const INDEXED_STATUS = `status NOT IN ('processing', 'completed')`;

// Running jobs are counted from the lease index, completed ones from their count deltas, the
// others from the status index (migrations 3 and 4).
const countAllText = sqlText(({ jobs, completedCounts }) => `
      SELECT status, count(*) AS count FROM ${jobs} WHERE ${INDEXED_STATUS} GROUP BY status
      UNION ALL
      SELECT 'processing', count(*) FROM ${jobs} WHERE status = 'processing' AND locked_by IS NOT NULL
      UNION ALL
      SELECT 'completed', coalesce(sum(delta), 0)::bigint FROM ${completedCounts}`);
const countByServiceText = sqlText(({ jobs, completedCounts }) => `
      SELECT status, count(*) AS count FROM ${jobs} WHERE service = $1 AND ${INDEXED_STATUS} GROUP BY status
      UNION ALL
      SELECT 'processing', count(*) FROM ${jobs} WHERE service = $1 AND status = 'processing' AND locked_by IS NOT NULL
      UNION ALL
      SELECT 'completed', coalesce(sum(delta), 0)::bigint FROM ${completedCounts} WHERE service = $1`);

export async function countByStatus(
  ctx: Queries & { tables: Tables },
  service: string | undefined,
): Promise<Record<JobStatus, number>> {
  // Planned for this service: a generic plan for "any service" reads in parallel workers, whose
  // start alone costs tens of milliseconds.
  const { rows } = await ctx.queryPlannedForValues<{ status: JobStatus; count: number }>(
    service === undefined
      ? { text: countAllText(ctx.tables) }
      : { text: countByServiceText(ctx.tables), values: [service] },
  );
  const counts = zeroCounts();
  for (const row of rows) counts[row.status] = row.count;
  return counts;
}

/** Count-delta rows one instance adds before it folds them all (a few finish statements' worth each). */
const COMPACT_AFTER_DELTA_ROWS = 1_000;

// Folds the count deltas into one row per service. Rows added meanwhile are not seen, so kept;
// a second compaction at once waits for this one's row locks, then finds those rows gone.
const compactText = sqlText(({ completedCounts }) => `
      WITH gone AS (DELETE FROM ${completedCounts} RETURNING service, delta)
      INSERT INTO ${completedCounts} (service, delta)
        SELECT service, sum(delta) FROM gone GROUP BY service HAVING sum(delta) <> 0`);

/**
 * Completed jobs are counted from count deltas (a row per finish statement and service), which
 * this folds into one row per service, so counting reads a few rows. It runs by itself after every
 * {@link COMPACT_AFTER_DELTA_ROWS} deltas this instance added.
 */
export class CompletedCounts {
  /** Count-delta rows this instance added since it last folded them. */
  private deltaRows = 0;
  private compacting: Promise<void> | undefined;

  constructor(private readonly ctx: Queries & { tables: Tables }) {}

  async compact(): Promise<void> {
    this.deltaRows = 0;
    await this.ctx.query({ name: 'remotetask-compact-completed-counts', text: compactText(this.ctx.tables) });
  }

  added(rows: number): void {
    this.deltaRows += rows;
    if (this.deltaRows < COMPACT_AFTER_DELTA_ROWS || this.compacting) return;
    // Off the caller's path; a failure (database away) leaves the rows for the next time.
    this.compacting = this.compact()
      .catch(() => undefined)
      .finally(() => {
        this.compacting = undefined;
      });
  }

  /** Waits for a compaction under way. */
  async settled(): Promise<void> {
    await this.compacting;
  }
}
