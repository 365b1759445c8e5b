import { CronExpressionParser } from 'cron-parser';
import { delayTooLong, MAX_DELAY_SECONDS } from './job-limits.js';
import type { CronExpressionSchedule, DelaySchedule, FieldSchedule, Schedule } from './job.js';
import { LOOKAHEAD_SECONDS, timeOfNextCall } from './time-of-next-call.js';

/** A schedule given by a user (config, HTTP, CLI) that cannot be used; the message says why and what would do. */
export class ScheduleError extends Error {
  override name = 'ScheduleError';
  readonly code = 'invalid_schedule';
}

type FieldName = keyof FieldSchedule;

const FIELD_RANGES: Record<FieldName, { min: number; max: number; note?: string }> = {
  minute: { min: 0, max: 59 },
  hour: { min: 0, max: 23 },
  dayOfMonth: { min: 1, max: 31 },
  month: { min: 1, max: 12 },
  dayOfWeek: { min: 0, max: 6, note: ' (0 = Monday)' },
};
const FIELD_NAMES = Object.keys(FIELD_RANGES) as FieldName[];
const KNOWN_KEYS = [...FIELD_NAMES, 'delay', 'cron', 'tz'];

const CRON_FIELDS = 'minute hour day-of-month month day-of-week';
// The longest each month can be: February counts its leap day.
const MONTH_LENGTHS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];

/**
 * Turns user input into a {@link Schedule}, or throws a {@link ScheduleError}.
 *
 * Accepts field lists (a single number stands for a one-element list; lists come back deduped and
 * sorted; an empty list or `null` means "any", as in the seed), `{ delay }` in seconds, or
 * `{ cron, tz? }`. Rejects schedules that would not fire within a year after `nowMs`: the seed
 * looks no further for a next call, so such a job would never run.
 */
export function validateSchedule(input: unknown, nowMs: number = Date.now()): Schedule {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ScheduleError(
      `a schedule must be an object: field lists { ${FIELD_NAMES.join(', ')} }, { delay } or { cron, tz? }, ` +
        `got ${describe(input)}`,
    );
  }
  const record = input as Record<string, unknown>;
  rejectUnknownKeys(record);

  const given = (key: string) => record[key] !== undefined && record[key] !== null;
  // An empty list is "any", as if left out: a form may send every field empty along with a delay.
  const fieldGiven = (key: string) => given(key) && !(Array.isArray(record[key]) && record[key].length === 0);
  const kinds = [
    ...(FIELD_NAMES.some(fieldGiven) ? ['field lists'] : []),
    ...(given('delay') ? ['delay'] : []),
    ...(given('cron') ? ['cron'] : []),
  ];
  if (kinds.length > 1) {
    throw new ScheduleError(`give either field lists, delay or cron, not both: got ${kinds.join(' and ')}`);
  }
  if (given('tz') && !given('cron')) {
    throw new ScheduleError('tz only applies to a cron expression: give { cron, tz }');
  }

  const schedule: Schedule = given('delay')
    ? validateDelay(record.delay)
    : given('cron')
      ? validateCron(record.cron, record.tz)
      : validateFields(record);
  rejectIfNeverDue(schedule, nowMs);
  return schedule;
}

function rejectUnknownKeys(record: Record<string, unknown>): void {
  const unknown = Object.keys(record).filter((key) => !KNOWN_KEYS.includes(key));
  if (unknown.length === 0) return;
  const named = unknown.map((key) => {
    const suggestion = closestKnownKey(key);
    return suggestion ? `"${key}" (did you mean "${suggestion}"?)` : `"${key}"`;
  });
  throw new ScheduleError(
    `unknown key${unknown.length > 1 ? 's' : ''} ${named.join(', ')} in schedule; known keys: ${KNOWN_KEYS.join(', ')}`,
  );
}

/** A known key a typo is probably meant to be: same letters but case, or at most 2 edits away. */
function closestKnownKey(key: string): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const known of KNOWN_KEYS) {
    const distance = editDistance(key.toLowerCase(), known.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: known, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}

function validateDelay(delay: unknown): DelaySchedule {
  if (typeof delay !== 'number' || !Number.isFinite(delay) || delay <= 0) {
    throw new ScheduleError(`delay must be a positive number of seconds, got ${describe(delay)}`);
  }
  if (delay > MAX_DELAY_SECONDS) throw new ScheduleError(delayTooLong(delay));
  return { delay };
}

function validateFields(record: Record<string, unknown>): FieldSchedule {
  const schedule: FieldSchedule = {};
  for (const name of FIELD_NAMES) {
    const values = validateFieldList(name, record[name]);
    // An empty list is "any" in the seed: leave the field out rather than keep a list that reads as "never".
    if (values.length > 0) schedule[name] = values;
  }
  const { month, dayOfMonth } = schedule;
  if (month && dayOfMonth && !month.some((m) => dayOfMonth.some((day) => day <= MONTH_LENGTHS[m - 1]))) {
    const lengths = month.map((m) => `${MONTH_NAMES[m - 1]} ${MONTH_LENGTHS[m - 1]}`).join(', ');
    throw new ScheduleError(
      `the schedule can never fire: dayOfMonth ${describe(dayOfMonth)} never falls in month ${describe(month)} ` +
        `(days at most: ${lengths})`,
    );
  }
  return schedule;
}

function validateFieldList(name: FieldName, value: unknown): number[] {
  if (value === undefined || value === null) return [];
  const items = typeof value === 'number' ? [value] : value;
  if (!Array.isArray(items)) {
    throw new ScheduleError(`${name} must be a list of whole numbers, got ${describe(value)}`);
  }
  const { min, max, note = '' } = FIELD_RANGES[name];
  for (const item of items) {
    if (typeof item !== 'number' || !Number.isInteger(item)) {
      throw new ScheduleError(`${name} must be a list of whole numbers, got ${describe(item)}`);
    }
    if (item < min || item > max) {
      throw new ScheduleError(`${name}: ${item} is out of range ${min}-${max}${note}`);
    }
  }
  return [...new Set(items as number[])].sort((a, b) => a - b);
}

function validateCron(cron: unknown, tz: unknown): CronExpressionSchedule {
  if (typeof cron !== 'string') {
    throw new ScheduleError(`cron must be a string of 5 fields (${CRON_FIELDS}), got ${describe(cron)}`);
  }
  const fields = cron.trim().split(/\s+/).filter((field) => field !== '');
  if (fields.length !== 5) {
    throw new ScheduleError(`cron expressions take 5 fields (${CRON_FIELDS}), got ${fields.length}`);
  }
  // cron-parser's H picks a random value on every parse: the next call would move on every look.
  // Three-letter names (thu, THU) are aliases, read before H, so they are not hashes.
  if (fields.some((field) => /H/.test(field.replace(/[a-z]{3}/gi, '')))) {
    throw new ScheduleError(`cron "${cron}" is not a valid cron expression: H (hashed) values are not supported`);
  }
  const expression = fields.join(' ');
  const schedule: CronExpressionSchedule = { cron: expression };
  if (tz !== undefined && tz !== null) {
    if (typeof tz !== 'string' || !isIanaTimeZone(tz)) {
      throw new ScheduleError(`tz ${describe(tz)} is not an IANA time zone (e.g. "Europe/Berlin", "UTC")`);
    }
    schedule.tz = tz;
  }
  try {
    CronExpressionParser.parse(expression, { tz: schedule.tz ?? 'UTC' });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ScheduleError(`cron "${cron}" is not a valid cron expression: ${reason}`);
  }
  return schedule;
}

function isIanaTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function rejectIfNeverDue(schedule: Schedule, nowMs: number): void {
  const now = nowMs / 1000;
  if (timeOfNextCall(schedule, now) !== null) return;
  const from = new Date(Math.floor(nowMs)).toISOString();
  throw new ScheduleError(
    `the schedule does not fire within a year (${LOOKAHEAD_SECONDS / (24 * 60 * 60)} days) after ${from}, ` +
      'so its job would never run: choose times that come at least once a year',
  );
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
