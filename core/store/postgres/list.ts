import { JOB_STATUSES } from '../../jobs/job.js';
import type { JobPage, JobQuery } from '../job-store.js';
import { decodedJson, toJobRecord, type JobRow } from '../job-row.js';
import { afterCursorSql, decodeCursor, encodeCursor, orderBySql, pageSize, parseSort } from '../keyset-paging.js';
import type { PostgresContext } from './postgres-context.js';

/** A page of jobs; the statement is built for the query's filters and planned for its values. */
export async function listJobs(ctx: PostgresContext, query: JobQuery): Promise<JobPage> {
  const { jobs, completedCounts } = ctx.tables;
  const sort = parseSort(query.sort);
  const limit = pageSize(query.limit);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sort);
  const column = sort.key; // the sort keys are the column names

  // Each parameter is numbered as it is bound.
  const values: unknown[] = [];
  const param = (value: unknown, sqlType: string) => {
    values.push(value);
    return `$${values.length}::${sqlType}`;
  };
  const where: string[] = [];
  const serviceParam = query.service === undefined ? undefined : param(query.service, 'text');
  if (serviceParam !== undefined) where.push(`service = ${serviceParam}`);
  if (query.task !== undefined) where.push(`task = ${param(query.task, 'text')}`);
  if (after) {
    const valueType = column === 'status' || column === 'task' ? 'text' : 'bigint';
    const valueParam = column === 'id' || after.value === null ? null : param(after.value, valueType);
    where.push(afterCursorSql(sort, valueParam, param(after.id, 'bigint')));
  }
  const orderBy = orderBySql(sort);
  const limitParam = param(limit + 1, 'int');
  const wanted = query.status !== undefined && query.status.length > 0 ? query.status : undefined;
  let text: string;
  if (query.service === undefined) {
    // Across services: the primary key gives the id order; no index starts with the status.
    if (wanted) where.push(`status = ANY(${param(wanted, 'text[]')})`);
    text = `SELECT * FROM ${jobs}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${orderBy} LIMIT ${limitParam}`;
  } else {
    // One branch per status, each read from the index that holds that status in the page's
    // order and cut at the page size, then merged: no index covers every status (migration 3).
    const branches = JOB_STATUSES.filter((status) => wanted?.includes(status) ?? true).map((status) => {
      const conditions = [...where, `status = '${status}'`];
      // A processing job always holds a lease: this lets the planner read the lease index.
      if (status === 'processing') conditions.push('locked_by IS NOT NULL');
      // Completed jobs are read from the primary key (migration 4); skip that walk when the
      // service has none.
      if (status === 'completed') {
        conditions.push(`EXISTS (SELECT FROM ${completedCounts} WHERE service = ${serviceParam} HAVING sum(delta) > 0)`);
      }
      return `SELECT * FROM ${jobs} WHERE ${conditions.join(' AND ')} ORDER BY ${orderBy} LIMIT ${limitParam}`;
    });
    if (branches.length === 0) return { jobs: [], nextCursor: null };
    text =
      branches.length === 1
        ? branches[0]
        : `SELECT * FROM (${branches.map((branch) => `(${branch})`).join(' UNION ALL ')}) page ORDER BY ${orderBy} LIMIT ${limitParam}`;
  }

  const { rows } = await ctx.queryPlannedForValues<JobRow>({ text, values });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    jobs: page.map((row) => toJobRecord(row, decodedJson)),
    nextCursor: rows.length > limit ? encodeCursor(sort, { value: last[column] as number | string | null, id: last.id }) : null,
  };
}
