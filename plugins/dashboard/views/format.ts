import { html, type SafeHtml } from 'remotetask/http';

/** Dates can only hold times up to year 275760; stores use MAX_SAFE_INTEGER for "never". */
const LATEST_DATE_MS = 8.64e15;

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `2026-05-04 12:03:07` in UTC; '' for null. */
export function formatUtc(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || Math.abs(ms) > LATEST_DATE_MS) return '';
  const date = new Date(ms);
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  );
}

/** `HH:MM` in UTC. */
export function formatClock(ms: number): string {
  const date = new Date(ms);
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}

/** A time in an IANA zone: `2026-05-04 14:03 CEST`. */
export function formatInZone(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
  }).formatToParts(new Date(ms));
  const part = (type: string) => parts.find((entry) => entry.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}

/** A `<time>` element with the UTC time, its ISO form in `datetime`; nothing for null. */
export function timeElement(ms: number | null): SafeHtml {
  const text = formatUtc(ms);
  if (!text) return html``;
  return html`<time datetime="${new Date(ms!).toISOString()}">${text}</time>`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A short time for table cells, in UTC: `04:05:28` today, `Nov 28 04:05` this year, else the
 * date. The `<time>` element keeps the full time in its title and `datetime`.
 */
export function compactTimeElement(ms: number | null, now: number): SafeHtml {
  const full = formatUtc(ms);
  if (!full) return html``;
  const date = new Date(ms!);
  const today = new Date(now);
  let text: string;
  if (full.slice(0, 10) === formatUtc(now).slice(0, 10)) text = full.slice(11);
  else if (date.getUTCFullYear() === today.getUTCFullYear()) text = `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ${full.slice(11, 16)}`;
  else text = full.slice(0, 10);
  return html`<time datetime="${date.toISOString()}" title="${full} UTC">${text}</time>`;
}

/** How long ago or ahead: `3 min ago`, `in 2 h`. */
export function relativeTime(ms: number, now: number): string {
  const seconds = Math.round((ms - now) / 1000);
  const abs = Math.abs(seconds);
  const text =
    abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.round(abs / 60)} min` : abs < 86_400 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86_400)} d`;
  return seconds < 0 ? `${text} ago` : seconds === 0 ? 'now' : `in ${text}`;
}

/** A duration in ms as `850 ms`, `12.3 s`, `4 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return minutes < 60 ? `${minutes} min ${Math.round((ms % 60_000) / 1000)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A value as indented JSON; `undefined` and unserializable values say so. */
export function prettyJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? 'undefined';
  } catch (error) {
    return `(cannot be shown as JSON: ${(error as Error).message})`;
  }
}

/** A fraction 0..1 as a whole percentage. */
export function percent(fraction: number | null): number {
  return Math.round(Math.min(1, Math.max(0, fraction ?? 0)) * 100);
}

/** `@RootTaskService` reads "root" for its site. */
export function siteLabel(name: string): string {
  return name === '' ? 'root' : name;
}
