import type { JobStatus } from 'remotetask';

/** A service address in a path: `@` stays readable, anything else is encoded. */
export function encodeAddress(address: string): string {
  return encodeURIComponent(address).replace(/%40/g, '@');
}

export const serviceUrl = (address: string) => `/services/${encodeAddress(address)}`;
export const jobUrl = (address: string, id: number) => `${serviceUrl(address)}/jobs/${id}`;

/** The jobs table's query: what the URL of a view of the table holds. */
export interface JobsQuery {
  status?: JobStatus;
  task?: string;
  /** A job id to find. */
  id?: number;
  sort: string;
  limit: number;
  cursor?: string;
  /** The cursors of the pages before this one, for "previous"; '' stands for the first page. */
  trail: string[];
}

export const DEFAULT_SORT = '-id';
const FIRST_PAGE = '~';

/** The `trail` parameter back into cursors ('' for the first page). */
export function parseTrail(text: string | undefined): string[] {
  return text ? text.split('.').map((cursor) => (cursor === FIRST_PAGE ? '' : cursor)) : [];
}
export const DEFAULT_LIMIT = 50;
export const PAGE_SIZES = [25, 50, 100, 200];

/** The URL of a view of the jobs table; only what differs from the defaults is in it. */
export function jobsUrl(address: string, query: Partial<JobsQuery> = {}): string {
  const params = new URLSearchParams();
  if (query.status) params.set('status', query.status);
  if (query.task) params.set('task', query.task);
  if (query.id !== undefined) params.set('id', String(query.id));
  if (query.sort && query.sort !== DEFAULT_SORT) params.set('sort', query.sort);
  if (query.limit && query.limit !== DEFAULT_LIMIT) params.set('limit', String(query.limit));
  if (query.cursor) params.set('cursor', query.cursor);
  // '~' (in no cursor: they are base64url) stands for the first page, which has no cursor.
  if (query.trail && query.trail.length > 0) params.set('trail', query.trail.map((cursor) => cursor || FIRST_PAGE).join('.'));
  const text = params.toString();
  return `${serviceUrl(address)}/jobs${text ? `?${text}` : ''}`;
}

const LOCAL = 'http://local.invalid';

/**
 * A path to go back to after signing in: only this server's own paths. Browsers drop tabs and
 * newlines from URLs and read `\` as `/`, so `/\t/evil.example` would be `//evil.example`: such
 * characters are refused, and what is kept is the path as a URL parser reads it.
 */
export function safeLocalPath(path: unknown, fallback = '/'): string {
  if (typeof path !== 'string' || !/^\/(?![/\\])/.test(path) || /[\u0000-\u0020\u007f\\]/.test(path)) return fallback;
  const url = new URL(path, LOCAL);
  return url.origin === LOCAL ? `${url.pathname}${url.search}${url.hash}` : fallback;
}
