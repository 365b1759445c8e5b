import type { JobQuery, JobSortKey } from './job-store.js';

// Sort keys, page sizes, keyset cursors and the listing order: the same in every store.

/** A listing cursor that this store did not make, or made for another sort: ask for the first page. */
export class InvalidCursorError extends Error {
  readonly code = 'invalid_cursor';

  constructor(message: string) {
    super(message);
    this.name = 'InvalidCursorError';
  }
}

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;

export interface Sort {
  key: JobSortKey;
  descending: boolean;
}

/** Where a job sits in a listing: its sort value (null sorts after every value) and its id. */
export interface Position {
  value: number | string | null;
  id: number;
}

const SORT_KEYS: readonly JobSortKey[] = ['id', 'created', 'started', 'completed', 'status', 'task'];

export function parseSort(sort: JobQuery['sort']): Sort {
  const text = sort ?? 'id';
  const descending = text.startsWith('-');
  const key = (descending ? text.slice(1) : text) as JobSortKey;
  if (!SORT_KEYS.includes(key)) throw new Error(`unknown sort key "${text}"; use one of ${SORT_KEYS.join(', ')}`);
  return { key, descending };
}

export function pageSize(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(limit)));
}

export function encodeCursor(sort: Sort, position: Position): string {
  const sortText = `${sort.descending ? '-' : ''}${sort.key}`;
  return Buffer.from(JSON.stringify([sortText, position.value, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string, sort: Sort): Position {
  const sortText = `${sort.descending ? '-' : ''}${sort.key}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError(`the cursor is invalid: "${cursor}" is not a cursor this store made`);
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || !Number.isSafeInteger(parsed[2])) {
    throw new InvalidCursorError(`the cursor is invalid: "${cursor}" is not a cursor this store made`);
  }
  const [cursorSort, value, id] = parsed as [unknown, unknown, number];
  if (cursorSort !== sortText) {
    throw new InvalidCursorError(`the cursor is invalid for sort "${sortText}": it was made for sort "${String(cursorSort)}"`);
  }
  const expected = sort.key === 'status' || sort.key === 'task' ? 'string' : 'number';
  const nullable = sort.key === 'started' || sort.key === 'completed';
  if (!(typeof value === expected || (nullable && value === null))) {
    throw new InvalidCursorError(`the cursor is invalid: its ${sort.key} value does not fit the sort`);
  }
  return { value: value as number | string | null, id };
}

/** Listing order: by the sort value (null after every value), then by id; `-key` is the exact reverse. */
export function comparePositions(sort: Sort, a: Position, b: Position): number {
  const order = compareValues(a.value, b.value) || a.id - b.id;
  return sort.descending ? -order : order;
}

function compareValues(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** The same order as SQL. A NULLS clause only where nulls occur: elsewhere it keeps SQLite from reading an index in order. */
export function orderBySql(sort: Sort): string {
  const direction = sort.descending ? 'DESC' : 'ASC';
  if (sort.key === 'id') return `id ${direction}`;
  const nulls = sort.key === 'started' || sort.key === 'completed' ? ` NULLS ${sort.descending ? 'FIRST' : 'LAST'}` : '';
  return `${sort.key} ${direction}${nulls}, id ${direction}`;
}

/**
 * The rows after the cursor row in {@link orderBySql}'s order, as SQL; the parameters are the
 * dialect's placeholders of the cursor's value (null when the cursor row's value is NULL, or the
 * sort is by id) and id. The sort keys are the column names.
 */
export function afterCursorSql(sort: Sort, valueParam: string | null, idParam: string): string {
  const after = sort.descending ? '<' : '>';
  const column = sort.key;
  if (column === 'id') return `id ${after} ${idParam}`;
  if (valueParam === null) {
    const sameNullBlock = `(${column} IS NULL AND id ${after} ${idParam})`;
    return sort.descending ? `(${sameNullBlock} OR ${column} IS NOT NULL)` : sameNullBlock;
  }
  const later = `(${column} ${after} ${valueParam} OR (${column} = ${valueParam} AND id ${after} ${idParam}))`;
  return sort.descending ? later : `(${later} OR ${column} IS NULL)`;
}
