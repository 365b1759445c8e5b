import type { Database, Statement } from 'better-sqlite3';
import type { JobPage, JobQuery } from '../job-store.js';
import { parseJsonText, toJobRecord, type JobRow } from '../job-row.js';
import { INDEXED_STATUS } from './jobs-sql.js';
import { afterCursorSql, decodeCursor, encodeCursor, orderBySql, pageSize, parseSort, type Sort } from '../keyset-paging.js';

/** Which filters and which cursor shape a listing statement carries: one statement per shape. */
interface ListShape {
  service: boolean;
  task: boolean;
  /** How many statuses the status index holds are asked for (`@status0`, …). */
  statuses: number;
  /** With a service: running and completed jobs asked for, each read from its own index (migration 15). */
  processing: boolean;
  completed: boolean;
  after: 'none' | 'null' | 'value';
}

/** Statuses the (service, status, id) index leaves out (migration 15). */
const UNINDEXED: readonly string[] = ['processing', 'completed'];

/** Listings, each statement prepared once per shape (and dropped when the store closes). */
export class SqliteListing {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Database) {}

  list(query: JobQuery): JobPage {
    const sort = parseSort(query.sort);
    const limit = pageSize(query.limit);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sort);
    const asked = query.status && query.status.length > 0 ? [...new Set(query.status)] : [];
    // Across services no index leads with the status: one statement over them all, as before.
    const apart = query.service === undefined ? [] : asked.filter((status) => UNINDEXED.includes(status));
    const statuses = asked.filter((status) => !apart.includes(status));
    const params: Record<string, unknown> = { limit: limit + 1 };
    if (query.service !== undefined) params.service = query.service;
    if (query.task !== undefined) params.task = query.task;
    statuses.forEach((status, index) => (params[`status${index}`] = status));
    if (after) {
      params.afterId = after.id;
      if (after.value !== null && sort.key !== 'id') params.afterValue = after.value;
    }
    const statement = this.statement(sort, {
      service: query.service !== undefined,
      task: query.task !== undefined,
      statuses: statuses.length,
      processing: apart.includes('processing'),
      completed: apart.includes('completed'),
      after: after === undefined ? 'none' : after.value === null ? 'null' : 'value',
    });
    const rows = statement.all(params) as JobRow<string>[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      jobs: page.map((row) => toJobRecord(row, parseJsonText)),
      nextCursor: rows.length > limit ? encodeCursor(sort, { value: last[sort.key], id: last.id }) : null,
    };
  }

  private statement(sort: Sort, shape: ListShape): Statement {
    const key = `${sort.descending ? '-' : ''}${sort.key}|${shape.service}|${shape.task}|${shape.statuses}|${shape.processing}|${shape.completed}|${shape.after}`;
    let statement = this.statements.get(key);
    if (statement) return statement;
    const where: string[] = [];
    if (shape.service) where.push('service = @service');
    if (shape.task) where.push('task = @task');
    if (shape.after !== 'none') where.push(afterCursorSql(sort, shape.after === 'value' ? '@afterValue' : null, '@afterId'));
    const orderBy = `ORDER BY ${orderBySql(sort)} LIMIT @limit`;
    const select = (from: string, conditions: string[]) =>
      `SELECT * FROM ${from} ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''} ${orderBy}`;
    // One branch per status, each read in the page's order and cut at the page size, then merged:
    // a status the status index holds from there; running jobs from the lease
    // index (a running job always holds a lease; the running jobs of every service are few, so
    // the index is named: the planner may prefer the service's rows); completed ones in id order from the service
    // index, the rows of the service (mostly completed ones) read until the page is full.
    const branches: string[] = [];
    for (let index = 0; index < shape.statuses; index += 1) {
      // The status index's predicate spelled out: with the status a parameter, the planner cannot tell it holds.
      const status = shape.service ? [`status = @status${index}`, INDEXED_STATUS] : [`status = @status${index}`];
      branches.push(select('jobs', [...where, ...status]));
    }
    if (shape.processing) branches.push(select('jobs INDEXED BY jobs_leased', [...where, `status = 'processing'`, 'locked_by IS NOT NULL']));
    if (shape.completed) branches.push(select(sort.key === 'id' ? 'jobs INDEXED BY jobs_service' : 'jobs', [...where, `status = 'completed'`]));
    const sql =
      branches.length === 0
        ? select('jobs', where)
        : branches.length === 1
          ? branches[0]
          : `SELECT * FROM (${branches.map((branch) => `SELECT * FROM (${branch})`).join(' UNION ALL ')}) ${orderBy}`;
    statement = this.db.prepare(sql);
    this.statements.set(key, statement);
    return statement;
  }
}
