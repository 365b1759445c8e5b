import type { MinuteCompletions } from '../job-store.js';
import { MINUTE_MS } from '../completions-rules.js';
import type { PostgresContext } from './postgres-context.js';
import { sqlText } from './tables.js';

// Finished jobs per minute of their completion time, for the dashboard's fleet-wide chart. The
// WHERE clause is the shape of the (service, status, completed) index: one range of it per status,
// read index-only; the cost is the number of jobs that ended since `since`, not the table's size.
export const completionsText = sqlText(({ jobs }) => `
      SELECT (completed / ${MINUTE_MS}) * ${MINUTE_MS} AS start,
             count(*) FILTER (WHERE status = 'completed')::int AS completed,
             count(*) FILTER (WHERE status = 'error')::int AS failed
      FROM ${jobs}
      WHERE service = $1 AND status IN ('completed', 'error') AND completed >= $2
      GROUP BY 1 ORDER BY 1`);

export async function completionsPerMinute(ctx: PostgresContext, service: string, since: number): Promise<MinuteCompletions[]> {
  const { rows } = await ctx.query<MinuteCompletions>({
    name: 'remotetask-completions-per-minute', text: completionsText(ctx.tables), values: [service, since],
  });
  return rows;
}
