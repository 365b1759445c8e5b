import { describe, expect, it } from 'vitest';
import {
  describeSchedule,
  EMPTY_SCHEDULE_FORM,
  formToSchedule,
  nextRunTimes,
  parseFieldList,
  readScheduleForm,
  ScheduleFormError,
  scheduleToForm,
} from './schedule-form.js';

const NOW = Date.UTC(2026, 0, 5, 10, 7, 30); // a Monday

describe('parseFieldList', () => {
  it('reads * as every value, and numbers, ranges and steps', () => {
    expect(parseFieldList('*', 'minute')).toBeUndefined();
    expect(parseFieldList('  ', 'minute')).toBeUndefined();
    expect(parseFieldList('30, 0,30', 'minute')).toEqual([0, 30]);
    expect(parseFieldList('9-12', 'hour')).toEqual([9, 10, 11, 12]);
    expect(parseFieldList('*/15', 'minute')).toEqual([0, 15, 30, 45]);
    expect(parseFieldList('1-10/3', 'dayOfMonth')).toEqual([1, 4, 7, 10]);
    expect(parseFieldList('50/5', 'minute')).toEqual([50, 55]);
  });

  it('says what is wrong and in which field', () => {
    expect(() => parseFieldList('60', 'minute')).toThrow('Minute: 60 is out of range 0–59');
    expect(() => parseFieldList('7', 'dayOfWeek')).toThrow('Day of week: 7 is out of range 0–6');
    expect(() => parseFieldList('5-1', 'hour')).toThrow('Hour: the range 5-1 runs backwards');
    expect(() => parseFieldList('*/0', 'minute')).toThrow('a step must be at least 1');
    try {
      parseFieldList('mon', 'dayOfWeek');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ScheduleFormError);
      expect((error as ScheduleFormError).field).toBe('dayOfWeek');
    }
  });
});

describe('formToSchedule', () => {
  it('turns field lists into the seed\'s schedule (fields left at * are left out)', () => {
    expect(formToSchedule({ ...EMPTY_SCHEDULE_FORM, minute: '0,30', hour: '9-10' }, NOW)).toEqual({ minute: [0, 30], hour: [9, 10] });
    expect(formToSchedule({ ...EMPTY_SCHEDULE_FORM }, NOW)).toEqual({});
  });

  it('takes a cron expression with its time zone, and a delay', () => {
    expect(formToSchedule({ ...EMPTY_SCHEDULE_FORM, mode: 'cron', cron: ' */15 9-17 * * MON-FRI ', tz: 'Europe/Berlin' }, NOW)).toEqual({
      cron: '*/15 9-17 * * MON-FRI',
      tz: 'Europe/Berlin',
    });
    expect(formToSchedule({ ...EMPTY_SCHEDULE_FORM, mode: 'cron', cron: '0 6 * * *', tz: 'UTC' }, NOW)).toEqual({ cron: '0 6 * * *' });
    expect(formToSchedule({ ...EMPTY_SCHEDULE_FORM, mode: 'delay', delay: '90' }, NOW)).toEqual({ delay: 90 });
  });

  it('names the field of a problem the core finds', () => {
    const fieldOf = (form: Partial<typeof EMPTY_SCHEDULE_FORM>) => {
      try {
        formToSchedule({ ...EMPTY_SCHEDULE_FORM, ...form }, NOW);
      } catch (error) {
        return [(error as ScheduleFormError).field, (error as Error).message];
      }
      return undefined;
    };
    expect(fieldOf({ mode: 'cron', cron: '* * *' })).toEqual(['cron', expect.stringContaining('cron expressions take 5 fields')]);
    expect(fieldOf({ mode: 'cron', cron: '0 6 * * *', tz: 'Mars/Olympus' })).toEqual(['tz', expect.stringContaining('not an IANA time zone')]);
    expect(fieldOf({ mode: 'cron', cron: '' })).toEqual(['cron', expect.stringContaining('give a cron expression')]);
    expect(fieldOf({ mode: 'delay', delay: '-1' })).toEqual(['delay', 'the delay is a positive number of seconds']);
    expect(fieldOf({ dayOfMonth: '31', month: '2' })).toEqual([undefined, expect.stringContaining('can never fire')]);
  });
});

describe('nextRunTimes', () => {
  it('lists the next five runs', () => {
    const times = nextRunTimes({ minute: [0, 30] }, NOW, 5).map((ms) => new Date(ms).toISOString());
    expect(times).toEqual([
      '2026-01-05T10:30:00.000Z', '2026-01-05T11:00:00.000Z', '2026-01-05T11:30:00.000Z', '2026-01-05T12:00:00.000Z', '2026-01-05T12:30:00.000Z',
    ]);
  });

  it('follows a cron expression\'s time zone, runs a delay once', () => {
    const berlin = nextRunTimes({ cron: '0 9 * * *', tz: 'Europe/Berlin' }, NOW, 2).map((ms) => new Date(ms).toISOString());
    expect(berlin).toEqual(['2026-01-06T08:00:00.000Z', '2026-01-07T08:00:00.000Z']);
    expect(nextRunTimes({ delay: 60 }, NOW, 5)).toEqual([NOW + 60_000]);
  });
});

describe('a schedule in the form and in words', () => {
  it('goes back into the form for editing', () => {
    expect(scheduleToForm({ minute: [0, 30], hour: [6] })).toMatchObject({ mode: 'fields', minute: '0,30', hour: '6', dayOfMonth: '*' });
    expect(scheduleToForm({ cron: '0 6 * * *', tz: 'Asia/Tokyo' })).toMatchObject({ mode: 'cron', cron: '0 6 * * *', tz: 'Asia/Tokyo' });
    expect(scheduleToForm({ delay: 5 })).toMatchObject({ mode: 'delay', delay: '5' });
    const form = readScheduleForm((name) => ({ mode: 'nonsense', minute: '5' })[name as 'mode' | 'minute']);
    expect(form).toMatchObject({ mode: 'fields', minute: '5', hour: '*' });
  });

  it('reads well', () => {
    expect(describeSchedule({ minute: [0, 30] })).toBe('minute 0,30 · hour * · day of month * · month * · day of week *');
    expect(describeSchedule({})).toBe('every minute');
    expect(describeSchedule({ cron: '0 6 * * *' })).toBe('cron 0 6 * * * (UTC)');
    expect(describeSchedule({ delay: 10 })).toBe('once, 10 s after it was added');
  });
});
