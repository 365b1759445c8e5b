import type { Database, Statement } from 'better-sqlite3';
import { JOB_STATUSES, type JobStatus } from '../../jobs/job.js';
import type { JobPage, JobQuery } from '../job-store.js';
import { parseJsonText, toJobRecord, type JobRow } from '../job-row.js';
import { afterCursorSql, decodeCursor, encodeCursor, orderBySql, pageSize, parseSort, type Sort } from '../keyset-paging.js';
import { FINISHED_SQL, isFinishedStatus } from '../retention-rules.js';
import { distinctTasksSql } from './distinct-tasks-sql.js';
import { INDEXED_STATUS } from './jobs-sql.js';

/** Which filters and which cursor shape a listing statement carries: one statement per shape. */
interface ListShape {
  service: boolean;
  task: boolean;
  /**
   * The service's tasks, for a listing in id order that reads the task index one task at a time
   * (no index holds a service's jobs in id order across its tasks: migration 17); 0 otherwise.
   */
  tasks: number;
  /** The statuses asked for, as known statuses in their canonical order; empty: any. */
  statuses: readonly JobStatus[];
  after: 'none' | 'null' | 'value';
}

/** Listings, each statement prepared once per shape (and dropped when the store closes). */
export class SqliteListing {
  private readonly statements = new Map<string, Statement>();
  private serviceTasks: Statement | undefined;

  constructor(private readonly db: Database) {}

  list(query: JobQuery): JobPage {
    const sort = parseSort(query.sort);
    const limit = pageSize(query.limit);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sort);
    const asked = query.status && query.status.length > 0 ? query.status : undefined;
    // A status no job can be in matches nothing; the others go into the statement as written here.
    const statuses = asked ? JOB_STATUSES.filter((status) => asked.includes(status)) : [];
    if (asked && statuses.length === 0) return { jobs: [], nextCursor: null };
    const params: Record<string, unknown> = { limit: limit + 1 };
    if (query.service !== undefined) params.service = query.service;
    if (query.task !== undefined) params.task = query.task;
    if (after) {
      params.afterId = after.id;
      if (after.value !== null && sort.key !== 'id') params.afterValue = after.value;
    }
    let tasks = 0;
    if (query.service !== undefined && query.task === undefined && readsTaskByTask(sort, statuses)) {
      const names = this.tasksOf(query.service);
      if (names.length === 0) return { jobs: [], nextCursor: null };
      if (names.length <= MAX_TASK_BRANCHES) {
        names.forEach((name, index) => (params[`task${index}`] = name));
        tasks = names.length;
      }
    }
    const statement = this.statement(sort, {
      service: query.service !== undefined,
      task: query.task !== undefined,
      tasks,
      statuses,
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

  /** The tasks the service has jobs of, in name order, up to one more than MAX_TASK_BRANCHES: a loose scan of the task index, one probe per task. */
  private tasksOf(service: string): string[] {
    this.serviceTasks ??= this.db.prepare(SERVICE_TASKS_SQL).pluck();
    return this.serviceTasks.all({ service }) as string[];
  }

  private statement(sort: Sort, shape: ListShape): Statement {
    const key = `${sort.descending ? '-' : ''}${sort.key}|${shape.service}|${shape.task}|${shape.tasks}|${shape.statuses.join(',')}|${shape.after}`;
    let statement = this.statements.get(key);
    if (statement) return statement;
    statement = this.db.prepare(listingSql(sort, shape));
    this.statements.set(key, statement);
    return statement;
  }
}

/**
 * Tasks read one by one at most; a service with more is listed from its rows sorted (SQLite allows
 * 500 parts to a compound SELECT, and each task's page is read whether or not it ends up shown).
 */
const MAX_TASK_BRANCHES = 64;

// One task more than are read one by one is enough to know the service has too many.
const SERVICE_TASKS_SQL = distinctTasksSql('jobs_service_task', 'service = @service', MAX_TASK_BRANCHES + 1);

/**
 * Whether a service's listing (of any task) reads its rows task by task from the task index: in id
 * order, every status, or the completed jobs (the status index leaves them out).
 */
function readsTaskByTask(sort: Sort, statuses: readonly JobStatus[]): boolean {
  return sort.key === 'id' && (statuses.length === 0 || statuses.includes('completed'));
}

/**
 * The listing as SQL. Within a service, one branch per status read from the index that holds it in
 * the page's order, each cut at the page size, then merged (as on PostgreSQL): the status index
 * leaves running and completed jobs out (migration 15). A sort by end time reads the finished
 * statuses from the finished-jobs index, so no page sorts every finished job. Across services, or
 * for every status in id order, one statement.
 */
function listingSql(sort: Sort, shape: ListShape): string {
  const where: string[] = [];
  if (shape.service) where.push('service = @service');
  if (shape.task) where.push('task = @task');
  if (shape.after !== 'none') where.push(afterCursorSql(sort, shape.after === 'value' ? '@afterValue' : null, '@afterId'));
  const limited = (order: string) => `ORDER BY ${order} LIMIT @limit`;
  const select = (from: string, conditions: string[], order = orderBySql(sort)) =>
    `SELECT * FROM ${from} ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''} ${limited(order)}`;
  const byEnd = sort.key === 'completed';
  const statuses = shape.statuses.length > 0 ? shape.statuses : byEnd ? JOB_STATUSES : [];
  // A service's jobs in id order: each task's first page from the task index (service, task, id),
  // merged. One entry less for every add to write than a (service) index beside it.
  const taskByTask = (conditions: string[]) => {
    const branches = Array.from({ length: shape.tasks }, (_, index) =>
      select('jobs INDEXED BY jobs_service_task', [...conditions, `task = @task${index}`]));
    return merged(branches);
  };
  const merged = (branches: string[]) =>
    branches.length === 1
      ? branches[0]
      : `SELECT * FROM (${branches.map((branch) => `SELECT * FROM (${branch})`).join(' UNION ALL ')}) ${limited(orderBySql(sort))}`;
  if (shape.service && statuses.length === 0 && shape.tasks > 0) return taskByTask(where);
  if (!shape.service || statuses.length === 0) {
    const list = shape.statuses.map((status) => `'${status}'`).join(', ');
    return select('jobs', shape.statuses.length > 0 ? [...where, `status IN (${list})`] : where);
  }
  const branches = statuses.flatMap((status): string[] => {
    const of = [...where, `status = '${status}'`];
    if (byEnd && isFinishedStatus(status)) {
      // A finished job has its end time: in the index's order, those without one (none, as the
      // store writes jobs) after them, as the listing's order puts a null.
      const direction = sort.descending ? 'DESC' : 'ASC';
      return [
        select('jobs', [...of, FINISHED_SQL, 'completed IS NOT NULL'], `completed ${direction}, id ${direction}`),
        select('jobs', [...of, FINISHED_SQL, 'completed IS NULL'], `id ${direction}`),
      ];
    }
    // A running job always holds a lease; the running jobs of every service are few, so the lease
    // index is named (the planner may prefer walking the service's rows).
    if (status === 'processing') return [select('jobs INDEXED BY jobs_leased', [...of, 'locked_by IS NOT NULL'])];
    // Completed jobs, most of the table, in id order from the task index until the page is full.
    if (status === 'completed') return shape.tasks > 0 ? [taskByTask(of)] : [select('jobs', of)];
    // The status index's predicate spelled out, so that the planner may use the index.
    return [select('jobs', [...of, INDEXED_STATUS])];
  });
  return merged(branches);
}
