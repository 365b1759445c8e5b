import { describe, expect, it } from 'vitest';
import type { Schedule } from './job.js';
import { LOOKAHEAD_SECONDS, nextRunAt, timeOfNextCall } from './time-of-next-call.js';

/** Seconds since the epoch of a UTC wall-clock time; month 1 = January, as the seed prints it. */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  return Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
}

const DAY = 24 * 60 * 60;

describe('timeOfNextCall: the seed\'s "Cron jobs" examples', () => {
  it('minutes (0, 10)', () => {
    const schedule = { minute: [0, 10] };
    expect(timeOfNextCall(schedule, 0)).toBe(utc(1970, 1, 1, 0, 10));
    expect(timeOfNextCall(schedule, 10 * 60)).toBe(utc(1970, 1, 1, 1, 0));
  });

  it('hours (2, 13)', () => {
    const schedule = { hour: [2, 13] };
    expect(timeOfNextCall(schedule, 0)).toBe(utc(1970, 1, 1, 2, 0));
    expect(timeOfNextCall(schedule, 2 * 60 * 60)).toBe(utc(1970, 1, 1, 13, 0));
  });

  it('months (1, 5, 12): day 1 at midnight, January 1 itself being now', () => {
    const schedule = { month: [1, 5, 12] };
    const may = timeOfNextCall(schedule, 0);
    expect(may).toBe(utc(1970, 5, 1));
    expect(timeOfNextCall(schedule, may!)).toBe(utc(1970, 12, 1));
  });

  it('days of week (0, 2, 4, 5), 0 = Monday; January 1 1970 is a Thursday', () => {
    const schedule = { dayOfWeek: [0, 2, 4, 5] };
    expect(timeOfNextCall(schedule, 0)).toBe(utc(1970, 1, 2));
    expect(timeOfNextCall(schedule, DAY)).toBe(utc(1970, 1, 3));
    expect(timeOfNextCall(schedule, 2 * DAY)).toBe(utc(1970, 1, 5));
    expect(timeOfNextCall(schedule, 4 * DAY)).toBe(utc(1970, 1, 7));
  });

  it('days of month (1, 12, 21, 30)', () => {
    const schedule = { dayOfMonth: [1, 12, 21, 30] };
    expect(timeOfNextCall(schedule, 0)).toBe(utc(1970, 1, 12));
    expect(timeOfNextCall(schedule, 12 * DAY)).toBe(utc(1970, 1, 21));
  });

  it('combined: minute 10 on days of month (1, 12, 21, 30), any hour', () => {
    const schedule = { minute: [10], dayOfMonth: [1, 12, 21, 30] };
    expect(timeOfNextCall(schedule, 0)).toBe(utc(1970, 1, 1, 0, 10));
    expect(timeOfNextCall(schedule, 10 * 60)).toBe(utc(1970, 1, 1, 1, 10));
  });

  it('combined: 4:10 on days of month (1, 12, 21, 30)', () => {
    const schedule = { minute: [10], hour: [4], dayOfMonth: [1, 12, 21, 30] };
    expect(timeOfNextCall(schedule, 0)).toBe(utc(1970, 1, 1, 4, 10));
    expect(timeOfNextCall(schedule, 10 * 60)).toBe(utc(1970, 1, 1, 4, 10));
  });

  it('delay: seconds after now', () => {
    const schedule = { delay: 10 };
    expect(timeOfNextCall(schedule, 0)).toBe(utc(1970, 1, 1, 0, 0, 10));
    expect(timeOfNextCall(schedule, 1)).toBe(utc(1970, 1, 1, 0, 0, 11));
  });

  it('"Creating Cron Jobs": minutes (10, 13), then rescheduled to (11, 13)', () => {
    expect(timeOfNextCall({ minute: [10, 13] }, 0)).toBe(10 * 60);
    expect(timeOfNextCall({ minute: [10, 13] }, 10 * 60)).toBe(13 * 60);
    expect(timeOfNextCall({ minute: [10, 13] }, 13 * 60)).toBe(60 * 60 + 10 * 60);
    expect(timeOfNextCall({ minute: [11, 13] }, 13 * 60)).toBe(60 * 60 + 11 * 60);
  });
});

describe('timeOfNextCall with field lists', () => {
  const now = utc(2026, 5, 17, 10, 23, 45);

  it('falls on second 0 of a minute, whatever the second of now', () => {
    expect(timeOfNextCall({ minute: [30] }, now)).toBe(utc(2026, 5, 17, 10, 30));
    expect(timeOfNextCall({ minute: [23] }, now)).toBe(utc(2026, 5, 17, 11, 23));
    expect(timeOfNextCall({ hour: [12] }, now)).toBe(utc(2026, 5, 17, 12, 0));
    expect(timeOfNextCall({ dayOfWeek: [0] }, now)).toBe(utc(2026, 5, 18));
    expect(timeOfNextCall({ minute: [24] }, now + 14.5)).toBe(utc(2026, 5, 17, 10, 24));
  });

  it('is strictly after now, even when now is a matching time', () => {
    expect(timeOfNextCall({ minute: [30] }, utc(2026, 5, 17, 10, 30))).toBe(utc(2026, 5, 17, 11, 30));
    expect(timeOfNextCall({ dayOfMonth: [17] }, utc(2026, 5, 17))).toBe(utc(2026, 6, 17));
  });

  it('treats an empty schedule as every minute', () => {
    expect(timeOfNextCall({}, now)).toBe(utc(2026, 5, 17, 10, 24));
    expect(timeOfNextCall({}, utc(2026, 5, 17, 10, 24))).toBe(utc(2026, 5, 17, 10, 25));
    expect(timeOfNextCall({}, utc(2026, 12, 31, 23, 59, 30))).toBe(utc(2027, 1, 1));
  });

  it('counts an empty list as "any", as the seed does', () => {
    expect(timeOfNextCall({ minute: [], hour: [2] }, 0)).toBe(utc(1970, 1, 1, 2, 0));
  });

  it('does not need sorted lists', () => {
    expect(timeOfNextCall({ minute: [50, 10] }, 0)).toBe(utc(1970, 1, 1, 0, 10));
  });

  it('keeps fields smaller than the smallest given one at their first value', () => {
    // hour given: minute 0, every day
    expect(timeOfNextCall({ month: [5], hour: [3] }, utc(2026, 1, 1))).toBe(utc(2026, 5, 1, 3));
    expect(timeOfNextCall({ month: [5], hour: [3] }, utc(2026, 5, 1, 3))).toBe(utc(2026, 5, 2, 3));
    // a day field given: midnight, every matching day of the month
    expect(timeOfNextCall({ month: [5], dayOfWeek: [0] }, utc(2026, 1, 1))).toBe(utc(2026, 5, 4));
    expect(timeOfNextCall({ month: [5], dayOfWeek: [0] }, utc(2026, 5, 4))).toBe(utc(2026, 5, 11));
    // minute given: every hour
    expect(timeOfNextCall({ minute: [0], dayOfWeek: [6] }, utc(2026, 5, 17, 22, 30))).toBe(utc(2026, 5, 17, 23));
  });

  it('needs both dayOfMonth and dayOfWeek to match (unlike classic cron): Friday the 13th', () => {
    const fridayThe13th = { dayOfMonth: [13], dayOfWeek: [4] };
    expect(timeOfNextCall(fridayThe13th, utc(2026, 1, 1))).toBe(utc(2026, 2, 13));
    expect(timeOfNextCall(fridayThe13th, utc(2026, 2, 13))).toBe(utc(2026, 3, 13));
    expect(timeOfNextCall(fridayThe13th, utc(2026, 3, 13))).toBe(utc(2026, 11, 13));
  });

  it('reads dayOfWeek as Python does: 6 = Sunday', () => {
    expect(new Date(utc(2026, 5, 17) * 1000).getUTCDay()).toBe(0);
    expect(timeOfNextCall({ dayOfWeek: [6] }, utc(2026, 5, 11))).toBe(utc(2026, 5, 17));
  });

  it('skips months too short for dayOfMonth 31', () => {
    const schedule = { dayOfMonth: [31] };
    expect(timeOfNextCall(schedule, utc(2026, 4, 1))).toBe(utc(2026, 5, 31));
    expect(timeOfNextCall(schedule, utc(2026, 5, 31))).toBe(utc(2026, 7, 31));
    expect(timeOfNextCall(schedule, utc(2026, 7, 31))).toBe(utc(2026, 8, 31));
    expect(timeOfNextCall(schedule, utc(2026, 8, 31))).toBe(utc(2026, 10, 31));
  });

  it('finds February 29 in leap years only', () => {
    expect(timeOfNextCall({ dayOfMonth: [29] }, utc(2027, 2, 1))).toBe(utc(2027, 3, 29));
    expect(timeOfNextCall({ dayOfMonth: [29] }, utc(2028, 2, 1))).toBe(utc(2028, 2, 29));
    expect(timeOfNextCall({ dayOfMonth: [29], month: [2] }, utc(2028, 1, 1))).toBe(utc(2028, 2, 29));
    // 2100 is no leap year
    expect(timeOfNextCall({ dayOfMonth: [29], month: [2] }, utc(2100, 1, 1))).toBeNull();
    expect(timeOfNextCall({ month: [3] }, utc(2028, 2, 28, 12))).toBe(utc(2028, 3, 1));
  });

  it('wraps into the next year', () => {
    expect(timeOfNextCall({ month: [1] }, utc(2026, 6, 1))).toBe(utc(2027, 1, 1));
    expect(timeOfNextCall({ dayOfMonth: [1] }, utc(2026, 12, 15))).toBe(utc(2027, 1, 1));
    expect(timeOfNextCall({ minute: [5] }, utc(2026, 12, 31, 23, 59))).toBe(utc(2027, 1, 1, 0, 5));
    expect(timeOfNextCall({ month: [12], dayOfMonth: [31], hour: [23], minute: [59] }, utc(2026, 12, 31, 23, 59)))
      .toBe(utc(2027, 12, 31, 23, 59));
  });

  it('gives null when nothing falls within 365 days after now, the limit included', () => {
    expect(LOOKAHEAD_SECONDS).toBe(365 * DAY);
    expect(timeOfNextCall({ dayOfMonth: [31], month: [2, 4] }, utc(2026, 1, 1))).toBeNull();
    // 2027-03-01 + 365 days = 2028-02-29
    const leapDay = { dayOfMonth: [29], month: [2] };
    expect(timeOfNextCall(leapDay, utc(2027, 3, 1))).toBe(utc(2028, 2, 29));
    expect(timeOfNextCall(leapDay, utc(2027, 2, 28, 23, 59))).toBeNull();
  });

  it('works before the epoch', () => {
    expect(timeOfNextCall({ minute: [0] }, -1)).toBe(0);
    expect(timeOfNextCall({ dayOfWeek: [2] }, utc(1969, 12, 30))).toBe(utc(1969, 12, 31));
  });
});

describe('timeOfNextCall with cron expressions', () => {
  it('reads the expression in UTC by default, strictly after now, at second 0', () => {
    expect(timeOfNextCall({ cron: '*/15 * * * *' }, utc(2026, 5, 17, 10, 7, 30))).toBe(utc(2026, 5, 17, 10, 15));
    expect(timeOfNextCall({ cron: '0 * * * *' }, utc(2026, 5, 17, 10))).toBe(utc(2026, 5, 17, 11));
    expect(timeOfNextCall({ cron: '0 * * * *' }, utc(2026, 5, 17, 10, 59, 59.5))).toBe(utc(2026, 5, 17, 11));
    expect(timeOfNextCall({ cron: '30 6 * * 1-5', tz: 'UTC' }, utc(2026, 5, 16))).toBe(utc(2026, 5, 18, 6, 30));
  });

  it('follows classic cron where both day fields are restricted: either one matches', () => {
    // January 2 1970 is a Friday, not the 13th
    expect(timeOfNextCall({ cron: '0 0 13 * 5' }, 0)).toBe(utc(1970, 1, 2));
  });

  it('keeps 02:00 Europe/Berlin across the spring DST change (2026-03-29: 02:00 does not exist)', () => {
    const schedule = { cron: '0 2 * * *', tz: 'Europe/Berlin' };
    // 02:00 CET = 01:00 UTC
    expect(timeOfNextCall(schedule, utc(2026, 3, 27, 12))).toBe(utc(2026, 3, 28, 1));
    // the skipped hour runs at once, at 03:00 CEST = 01:00 UTC
    expect(timeOfNextCall(schedule, utc(2026, 3, 28, 1))).toBe(utc(2026, 3, 29, 1));
    // 02:00 CEST = 00:00 UTC
    expect(timeOfNextCall(schedule, utc(2026, 3, 29, 1))).toBe(utc(2026, 3, 30, 0));
  });

  it('runs 02:30 Europe/Berlin once when the autumn DST change repeats it (2026-10-25)', () => {
    const schedule = { cron: '30 2 * * *', tz: 'Europe/Berlin' };
    // the first 02:30, still CEST
    expect(timeOfNextCall(schedule, utc(2026, 10, 24, 12))).toBe(utc(2026, 10, 25, 0, 30));
    // not the repeated 02:30 CET at 01:30 UTC, but the next day's
    expect(timeOfNextCall(schedule, utc(2026, 10, 25, 0, 30))).toBe(utc(2026, 10, 26, 1, 30));
  });

  it('gives null when nothing falls within 365 days after now, the limit included', () => {
    const leapDay = { cron: '0 0 29 2 *' };
    expect(timeOfNextCall(leapDay, utc(2027, 2, 28, 23, 59))).toBeNull();
    expect(timeOfNextCall(leapDay, utc(2027, 3, 1))).toBe(utc(2028, 2, 29));
  });
});

describe('nextRunAt (milliseconds)', () => {
  const ms = (year: number, month: number, day: number, hour = 0, minute = 0, second = 0, milli = 0) =>
    Date.UTC(year, month - 1, day, hour, minute, second, milli);

  it('matches timeOfNextCall on the seed examples', () => {
    const cases: Array<[Schedule, number]> = [
      [{ minute: [0, 10] }, 600],
      [{ hour: [2, 13] }, 0],
      [{ month: [1, 5, 12] }, 0],
      [{ dayOfWeek: [0, 2, 4, 5] }, 2 * DAY],
      [{ dayOfMonth: [1, 12, 21, 30] }, 12 * DAY],
      [{ minute: [10], hour: [4], dayOfMonth: [1, 12, 21, 30] }, 600],
      [{ delay: 10 }, 1],
      [{ cron: '5 4 * * *' }, 0],
    ];
    for (const [schedule, now] of cases) {
      expect(nextRunAt(schedule, now * 1000)).toBe(timeOfNextCall(schedule, now)! * 1000);
    }
  });

  it('is strictly after a now with a fraction of a second', () => {
    expect(nextRunAt({}, ms(2026, 5, 17, 10, 23, 59, 999))).toBe(ms(2026, 5, 17, 10, 24));
    expect(nextRunAt({}, ms(2026, 5, 17, 10, 24, 0, 1))).toBe(ms(2026, 5, 17, 10, 25));
    expect(nextRunAt({ minute: [24] }, ms(2026, 5, 17, 10, 24) + 0.25)).toBe(ms(2026, 5, 17, 11, 24));
    expect(nextRunAt({ cron: '* * * * *' }, ms(2026, 5, 17, 10, 23, 59, 999))).toBe(ms(2026, 5, 17, 10, 24));
    expect(nextRunAt({ cron: '* * * * *' }, ms(2026, 5, 17, 10, 24, 0, 1))).toBe(ms(2026, 5, 17, 10, 25));
    expect(nextRunAt({ cron: '24 * * * *' }, ms(2026, 5, 17, 10, 24) + 0.25)).toBe(ms(2026, 5, 17, 11, 24));
  });

  it('adds a delay in seconds to now in milliseconds, keeping the milliseconds', () => {
    expect(nextRunAt({ delay: 10 }, 1_234)).toBe(11_234);
    expect(nextRunAt({ delay: 0.5 }, 1_234)).toBe(1_734);
  });

  it('gives null when timeOfNextCall does', () => {
    expect(nextRunAt({ dayOfMonth: [31], month: [2] }, ms(2026, 1, 1))).toBeNull();
    expect(nextRunAt({ cron: '0 0 29 2 *' }, ms(2026, 3, 1))).toBeNull();
  });
});
