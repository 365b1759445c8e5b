import { describe, expect, it } from 'vitest';
import { ScheduleError, validateSchedule } from './validate-schedule.js';

// A fixed now, so that "fires within a year" does not depend on the day the tests run.
const NOW = Date.UTC(2026, 4, 17, 10, 23, 45);

function rejection(input: unknown, nowMs = NOW): ScheduleError {
  try {
    validateSchedule(input, nowMs);
  } catch (error) {
    expect(error).toBeInstanceOf(ScheduleError);
    return error as ScheduleError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('validateSchedule: field lists', () => {
  it('dedupes and sorts the lists, in a fixed key order', () => {
    const schedule = validateSchedule({ dayOfWeek: [4, 0, 4], minute: [10, 0, 10] }, NOW);
    expect(schedule).toEqual({ minute: [0, 10], dayOfWeek: [0, 4] });
    expect(Object.keys(schedule)).toEqual(['minute', 'dayOfWeek']);
  });

  it('accepts a single number as a one-element list', () => {
    expect(validateSchedule({ hour: 5, minute: [30] }, NOW)).toEqual({ minute: [30], hour: [5] });
  });

  it('leaves out empty and null fields, which mean "any"', () => {
    expect(validateSchedule({ minute: [], hour: null, month: [5] }, NOW)).toEqual({ month: [5] });
  });

  it('accepts an empty schedule: every minute', () => {
    expect(validateSchedule({}, NOW)).toEqual({});
  });

  it('returns a new object, not the input', () => {
    const input = { minute: [5] };
    const schedule = validateSchedule(input, NOW);
    expect(schedule).not.toBe(input);
    expect((schedule as { minute: number[] }).minute).not.toBe(input.minute);
  });

  it('accepts every bound of every range', () => {
    expect(validateSchedule({ minute: [0, 59], hour: [0, 23], dayOfMonth: [1, 31], month: [1, 12], dayOfWeek: [0, 6] }, NOW))
      .toEqual({ minute: [0, 59], hour: [0, 23], dayOfMonth: [1, 31], month: [1, 12], dayOfWeek: [0, 6] });
  });

  it('rejects values out of range, saying the range', () => {
    expect(rejection({ minute: [0, 61] }).message).toBe('minute: 61 is out of range 0-59');
    expect(rejection({ hour: 24 }).message).toBe('hour: 24 is out of range 0-23');
    expect(rejection({ dayOfMonth: [0] }).message).toBe('dayOfMonth: 0 is out of range 1-31');
    expect(rejection({ month: [13] }).message).toBe('month: 13 is out of range 1-12');
    expect(rejection({ dayOfWeek: [7] }).message).toBe('dayOfWeek: 7 is out of range 0-6 (0 = Monday)');
  });

  it('rejects what is not a list of whole numbers, showing it', () => {
    expect(rejection({ hour: 'x' }).message).toBe('hour must be a list of whole numbers, got "x"');
    expect(rejection({ hour: [1, 'x'] }).message).toBe('hour must be a list of whole numbers, got "x"');
    expect(rejection({ minute: [1.5] }).message).toBe('minute must be a list of whole numbers, got 1.5');
    expect(rejection({ minute: { at: 5 } }).message).toBe('minute must be a list of whole numbers, got {"at":5}');
    expect(rejection({ minute: [NaN] }).message).toBe('minute must be a list of whole numbers, got NaN');
  });

  it('rejects a day of month no given month has', () => {
    expect(rejection({ dayOfMonth: [31], month: [2, 4] }).message).toBe(
      'the schedule can never fire: dayOfMonth [31] never falls in month [2,4] (days at most: February 29, April 30)',
    );
    expect(rejection({ dayOfMonth: [30, 31], month: [2] }).message).toMatch(/can never fire/);
    expect(validateSchedule({ dayOfMonth: [30, 31], month: [2, 3] }, NOW)).toEqual({ dayOfMonth: [30, 31], month: [2, 3] });
  });

  it('rejects a schedule with no call within a year after now', () => {
    const leapDay = { dayOfMonth: [29], month: [2] };
    expect(rejection(leapDay, NOW).message).toBe(
      'the schedule does not fire within a year (365 days) after 2026-05-17T10:23:45.000Z, ' +
        'so its job would never run: choose times that come at least once a year',
    );
    expect(validateSchedule(leapDay, Date.UTC(2028, 0, 1))).toEqual(leapDay);
  });
});

describe('validateSchedule: delay', () => {
  it('accepts a positive number of seconds', () => {
    expect(validateSchedule({ delay: 10 }, NOW)).toEqual({ delay: 10 });
    expect(validateSchedule({ delay: 0.5 }, NOW)).toEqual({ delay: 0.5 });
  });

  it('ignores empty field lists sent along with it', () => {
    expect(validateSchedule({ delay: 10, minute: [], hour: null }, NOW)).toEqual({ delay: 10 });
  });

  it('rejects anything but a positive number of seconds', () => {
    expect(rejection({ delay: 0 }).message).toBe('delay must be a positive number of seconds, got 0');
    expect(rejection({ delay: -5 }).message).toBe('delay must be a positive number of seconds, got -5');
    expect(rejection({ delay: '10' }).message).toBe('delay must be a positive number of seconds, got "10"');
    expect(rejection({ delay: Infinity }).message).toBe('delay must be a positive number of seconds, got Infinity');
  });
});

describe('validateSchedule: cron', () => {
  it('accepts a 5-field expression, with its spacing tidied', () => {
    expect(validateSchedule({ cron: '  */5   * * * * ' }, NOW)).toEqual({ cron: '*/5 * * * *' });
  });

  it('keeps an IANA time zone, and leaves out a null one (UTC)', () => {
    expect(validateSchedule({ cron: '0 2 * * *', tz: 'Europe/Berlin' }, NOW)).toEqual({ cron: '0 2 * * *', tz: 'Europe/Berlin' });
    expect(validateSchedule({ cron: '0 2 * * *', tz: null }, NOW)).toEqual({ cron: '0 2 * * *' });
  });

  it('accepts month and day names, whose letters are no hash', () => {
    expect(validateSchedule({ cron: '0 9 * JAN-MAR THU' }, NOW)).toEqual({ cron: '0 9 * JAN-MAR THU' });
  });

  it('rejects an expression cron-parser cannot read, with its reason', () => {
    expect(rejection({ cron: '61 * * * *' }).message).toBe(
      'cron "61 * * * *" is not a valid cron expression: Constraint error, got value 61 expected range 0-59',
    );
    expect(rejection({ cron: 'x * * * *' }).message).toMatch(/^cron "x \* \* \* \*" is not a valid cron expression: /);
    expect(rejection({ cron: '0 0 30 2 *' }).message).toMatch(/^cron "0 0 30 2 \*" is not a valid cron expression: /);
  });

  it('rejects anything but 5 fields', () => {
    const message = (count: number) =>
      `cron expressions take 5 fields (minute hour day-of-month month day-of-week), got ${count}`;
    expect(rejection({ cron: '0 * * * * *' }).message).toBe(message(6));
    expect(rejection({ cron: '* * * *' }).message).toBe(message(4));
    expect(rejection({ cron: '@daily' }).message).toBe(message(1));
    expect(rejection({ cron: '' }).message).toBe(message(0));
  });

  it('rejects hashed (H) values, which move on every parse', () => {
    expect(rejection({ cron: 'H * * * *' }).message).toBe(
      'cron "H * * * *" is not a valid cron expression: H (hashed) values are not supported',
    );
  });

  it('rejects a cron that is not a string', () => {
    expect(rejection({ cron: 5 }).message).toBe(
      'cron must be a string of 5 fields (minute hour day-of-month month day-of-week), got 5',
    );
  });

  it('rejects a time zone that is not an IANA one', () => {
    expect(rejection({ cron: '* * * * *', tz: 'Mars/Olympus' }).message).toMatch(/^tz "Mars\/Olympus" is not an IANA time zone/);
    expect(rejection({ cron: '* * * * *', tz: 1 }).message).toMatch(/^tz 1 is not an IANA time zone/);
  });

  it('rejects an expression with no call within a year after now', () => {
    expect(rejection({ cron: '0 0 29 2 *' }).message).toMatch(/^the schedule does not fire within a year/);
  });
});

describe('validateSchedule: shape', () => {
  it('rejects mixing field lists, delay and cron', () => {
    expect(rejection({ minute: [1], delay: 5 }).message).toBe(
      'give either field lists, delay or cron, not both: got field lists and delay',
    );
    expect(rejection({ delay: 5, cron: '* * * * *' }).message).toBe(
      'give either field lists, delay or cron, not both: got delay and cron',
    );
    expect(rejection({ hour: 3, cron: '* * * * *' }).message).toBe(
      'give either field lists, delay or cron, not both: got field lists and cron',
    );
  });

  it('rejects a time zone without a cron expression', () => {
    expect(rejection({ minute: [1], tz: 'UTC' }).message).toBe('tz only applies to a cron expression: give { cron, tz }');
  });

  it('names unknown keys, and the known key a typo probably meant', () => {
    expect(rejection({ minutes: [5] }).message).toBe(
      'unknown key "minutes" (did you mean "minute"?) in schedule; known keys: minute, hour, dayOfMonth, month, dayOfWeek, delay, cron, tz',
    );
    expect(rejection({ foo: 1, dayofweek: [2] }).message).toMatch(
      /^unknown keys "foo", "dayofweek" \(did you mean "dayOfWeek"\?\) in schedule/,
    );
  });

  it('rejects what is not an object', () => {
    for (const input of [null, undefined, [1, 2], 'every minute', 5]) {
      expect(rejection(input).message).toMatch(
        /^a schedule must be an object: field lists \{ minute, hour, dayOfMonth, month, dayOfWeek \}, \{ delay \} or \{ cron, tz\? \}, got /,
      );
    }
    expect(rejection('every minute').message).toMatch(/got "every minute"$/);
  });

  it('throws errors named ScheduleError', () => {
    expect(rejection({ delay: 0 }).name).toBe('ScheduleError');
  });

  it('checks against the current time by default', () => {
    expect(validateSchedule({ minute: [0] })).toEqual({ minute: [0] });
  });
});
