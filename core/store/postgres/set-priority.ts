import type { JobRecord } from '../../jobs/job.js';
import { decodedJson, toJobRecord, type JobRow } from '../job-row.js';
import { CANCELLABLE_SQL } from '../status-sets.js';
import type { PostgresContext } from './postgres-context.js';
import { sqlText } from './tables.js';

// A job's priority changes while it waits, no worker holding it: the jobs a cancel ends outright.
const setPriorityText = sqlText(({ jobs }) => `
      UPDATE ${jobs} SET priority = $2 WHERE id = $1 AND ${CANCELLABLE_SQL} RETURNING *`);

/** Sets a waiting job's priority; undefined when no job of that id waits. */
export async function setPriority(ctx: PostgresContext, id: number, priority: number): Promise<JobRecord | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const { rows } = await ctx.query<JobRow>({ name: 'remotetask-set-priority', text: setPriorityText(ctx.tables), values: [id, priority] });
  return rows[0] ? toJobRecord(rows[0], decodedJson) : undefined;
}
