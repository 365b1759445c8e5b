import { CronExpressionParser } from 'cron-parser';
import { isDelaySchedule } from './job.js';
import type { CronExpressionSchedule, FieldSchedule, Schedule } from './job.js';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How far ahead a next call is looked for, as in the seed: a schedule with nothing in it gets `null`. */
export const LOOKAHEAD_SECONDS = 365 * DAY;

const ALL_MINUTES = Array.from({ length: 60 }, (_, minute) => minute);
const ALL_HOURS = Array.from({ length: 24 }, (_, hour) => hour);

/**
 * The next call of a job strictly after `now`; both in seconds since the epoch (UTC).
 * `null` when nothing falls within {@link LOOKAHEAD_SECONDS} after `now`.
 *
 * - `{ delay }`: `now + delay`.
 * - field lists: every given field must match (`dayOfMonth` AND `dayOfWeek`, `dayOfWeek` 0 = Monday);
 *   fields smaller than the smallest given one sit at their first value (minute 0, hour 0, day 1),
 *   larger ones match anything. `{}` matches every minute.
 * - `{ cron, tz }`: a 5-field cron expression in an IANA time zone (UTC by default).
 *
 * Every call but a delayed one falls on second 0 of a minute.
 */
export function timeOfNextCall(schedule: Schedule, now: number): number | null {
  if (isDelaySchedule(schedule)) return now + schedule.delay;
  if (isCronExpressionSchedule(schedule)) {
    const nextMs = nextCronCallMs(schedule, now * 1000);
    return nextMs === null ? null : nextMs / 1000;
  }
  return nextFieldCall(schedule, now);
}

/** {@link timeOfNextCall} in milliseconds since the epoch, as the stores keep times. */
export function nextRunAt(schedule: Schedule, nowMs: number): number | null {
  // Stores keep whole milliseconds.
  if (isDelaySchedule(schedule)) return Math.round(nowMs + schedule.delay * 1000);
  // Cron expressions are computed in ms directly: no round trip through fractional seconds.
  if (isCronExpressionSchedule(schedule)) return nextCronCallMs(schedule, nowMs);
  const next = nextFieldCall(schedule, nowMs / 1000);
  return next === null ? null : next * 1000;
}

function isCronExpressionSchedule(schedule: Schedule): schedule is CronExpressionSchedule {
  return typeof (schedule as CronExpressionSchedule).cron === 'string';
}

/** A field the seed counts as given: a missing or empty list means "any". */
function given(list: readonly number[] | undefined): number[] | undefined {
  return list !== undefined && list.length > 0 ? [...list].sort((a, b) => a - b) : undefined;
}

/**
 * The seed steps by the unit of the smallest given field from the start of the current unit, so
 * a smaller field only ever sees its first value. Rather than stepping minute by minute over a
 * year, walk the days (at most 366) and look for the first matching time inside a matching day.
 */
function nextFieldCall(schedule: FieldSchedule, now: number): number | null {
  const minute = given(schedule.minute);
  const hour = given(schedule.hour);
  const dayOfMonth = given(schedule.dayOfMonth);
  const month = given(schedule.month);
  const dayOfWeek = given(schedule.dayOfWeek);
  const nothingGiven = !minute && !hour && !dayOfMonth && !month && !dayOfWeek;

  const minutes = minute ?? (nothingGiven ? ALL_MINUTES : [0]);
  const hours = hour ?? (minute || nothingGiven ? ALL_HOURS : [0]);
  // Only month given: the seed steps month by month from day 1.
  const daysOfMonth = dayOfMonth ?? (month && !dayOfWeek && !hour && !minute ? [1] : undefined);

  const limit = now + LOOKAHEAD_SECONDS;
  for (let dayStart = Math.floor(now / DAY) * DAY; dayStart <= limit; dayStart += DAY) {
    const date = new Date(dayStart * 1000);
    if (month && !month.includes(date.getUTCMonth() + 1)) continue;
    if (daysOfMonth && !daysOfMonth.includes(date.getUTCDate())) continue;
    if (dayOfWeek && !dayOfWeek.includes(pythonWeekday(date))) continue;
    const next = firstTimeInDayAfter(dayStart, now, hours, minutes);
    if (next === null) continue;
    // Times only grow from here on: the first one found past the limit ends the search.
    return next <= limit ? next : null;
  }
  return null;
}

/** Python's `weekday()`, which the seed uses: 0 = Monday … 6 = Sunday. */
function pythonWeekday(date: Date): number {
  return (date.getUTCDay() + 6) % 7;
}

function firstTimeInDayAfter(
  dayStart: number,
  now: number,
  hours: readonly number[],
  minutes: readonly number[],
): number | null {
  const lastMinute = minutes[minutes.length - 1] * MINUTE;
  for (const hour of hours) {
    const hourStart = dayStart + hour * HOUR;
    if (hourStart + lastMinute <= now) continue;
    for (const minute of minutes) {
      const time = hourStart + minute * MINUTE;
      if (time > now) return time;
    }
  }
  return null;
}

// cron-parser's messages for "nothing found": past the end date, or too sparse to find at all.
const NOTHING_FOUND_MESSAGES = ['Out of the time span range', 'Invalid expression, loop limit exceeded'];

function nextCronCallMs(schedule: CronExpressionSchedule, nowMs: number): number | null {
  // Calls fall on whole minutes, so dropping a fraction of a millisecond keeps them strictly after now.
  const currentDate = Math.floor(nowMs);
  const expression = CronExpressionParser.parse(schedule.cron, {
    currentDate,
    endDate: currentDate + LOOKAHEAD_SECONDS * 1000,
    tz: schedule.tz ?? 'UTC',
  });
  try {
    return expression.next().getTime();
  } catch (error) {
    if (error instanceof Error && NOTHING_FOUND_MESSAGES.includes(error.message)) return null;
    throw error;
  }
}
