import type { Database, Statement } from 'better-sqlite3';
import type { JobPage, JobQuery } from '../job-store.js';
import { parseJsonText, toJobRecord, type JobRow } from '../job-row.js';
import { afterCursorSql, decodeCursor, encodeCursor, orderBySql, pageSize, parseSort, type Sort } from '../keyset-paging.js';

/** Which filters and which cursor shape a listing statement carries: one statement per shape. */
interface ListShape {
  service: boolean;
  task: boolean;
  statuses: number;
  after: 'none' | 'null' | 'value';
}

/** Listings, each statement prepared once per shape (and dropped when the store closes). */
export class SqliteListing {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Database) {}

  list(query: JobQuery): JobPage {
    const sort = parseSort(query.sort);
    const limit = pageSize(query.limit);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sort);
    const statuses = query.status && query.status.length > 0 ? [...new Set(query.status)] : [];
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
    const key = `${sort.descending ? '-' : ''}${sort.key}|${shape.service}|${shape.task}|${shape.statuses}|${shape.after}`;
    let statement = this.statements.get(key);
    if (statement) return statement;
    const where: string[] = [];
    if (shape.service) where.push('service = @service');
    if (shape.task) where.push('task = @task');
    if (shape.statuses > 0) {
      where.push(`status IN (${Array.from({ length: shape.statuses }, (_, index) => `@status${index}`).join(', ')})`);
    }
    if (shape.after !== 'none') where.push(afterCursorSql(sort, shape.after === 'value' ? '@afterValue' : null, '@afterId'));
    const sql = `SELECT * FROM jobs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${orderBySql(sort)} LIMIT @limit`;
    statement = this.db.prepare(sql);
    this.statements.set(key, statement);
    return statement;
  }
}
