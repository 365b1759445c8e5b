import { nextRunAt, type Schedule, ScheduleError, validateSchedule } from 'remotetask';

export type ScheduleMode = 'fields' | 'cron' | 'delay';

export const FIELD_NAMES = ['minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

export const FIELDS: Record<FieldName, { label: string; min: number; max: number; hint: string }> = {
  minute: { label: 'Minute', min: 0, max: 59, hint: '0–59' },
  hour: { label: 'Hour', min: 0, max: 23, hint: '0–23 (UTC)' },
  dayOfMonth: { label: 'Day of month', min: 1, max: 31, hint: '1–31' },
  month: { label: 'Month', min: 1, max: 12, hint: '1–12' },
  dayOfWeek: { label: 'Day of week', min: 0, max: 6, hint: '0 = Mon … 6 = Sun' },
};

/** What the cron form holds, as text, the way a user typed it. */
export interface ScheduleFormValues {
  mode: ScheduleMode;
  minute: string;
  hour: string;
  dayOfMonth: string;
  month: string;
  dayOfWeek: string;
  cron: string;
  tz: string;
  delay: string;
}

export const EMPTY_SCHEDULE_FORM: ScheduleFormValues = {
  mode: 'fields', minute: '*', hour: '*', dayOfMonth: '*', month: '*', dayOfWeek: '*', cron: '', tz: 'UTC', delay: '',
};

/** A problem with one field of the form (`field` undefined: the schedule as a whole). */
export class ScheduleFormError extends Error {
  constructor(
    message: string,
    readonly field?: keyof ScheduleFormValues,
  ) {
    super(message);
    this.name = 'ScheduleFormError';
  }
}

/**
 * A field list as a user writes it: `*` (or nothing) for every value, else numbers, ranges and
 * steps separated by commas: `0,30`, `9-17`, `*\/15`, `1-31/2`. Returns the sorted numbers, or
 * undefined for every value (the seed's "field left out").
 */
export function parseFieldList(text: string, field: FieldName): number[] | undefined {
  const { label, min, max } = FIELDS[field];
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === '*') return undefined;
  const values = new Set<number>();
  for (const rawPart of trimmed.split(',')) {
    const part = rawPart.trim();
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!match) {
      throw new ScheduleFormError(`${label}: "${part}" is not a number, a range (9-17) or a step (*/15); use * for every value`, field);
    }
    const [, , first, last, stepText] = match;
    const from = first === undefined ? min : Number(first);
    const to = last !== undefined ? Number(last) : first === undefined || stepText !== undefined ? max : from;
    const step = stepText === undefined ? 1 : Number(stepText);
    for (const value of [from, to]) {
      if (value < min || value > max) throw new ScheduleFormError(`${label}: ${value} is out of range ${min}–${max}`, field);
    }
    if (from > to) throw new ScheduleFormError(`${label}: the range ${from}-${to} runs backwards`, field);
    if (step < 1) throw new ScheduleFormError(`${label}: a step must be at least 1`, field);
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}

/** Turns the form into a checked Schedule, or throws a ScheduleFormError naming the field. */
export function formToSchedule(form: ScheduleFormValues, nowMs = Date.now()): Schedule {
  let raw: Record<string, unknown>;
  if (form.mode === 'cron') {
    if (form.cron.trim() === '') throw new ScheduleFormError('give a cron expression, e.g. */15 9-17 * * MON-FRI', 'cron');
    raw = { cron: form.cron.trim(), ...(form.tz.trim() && form.tz.trim() !== 'UTC' ? { tz: form.tz.trim() } : {}) };
  } else if (form.mode === 'delay') {
    const delay = Number(form.delay);
    if (form.delay.trim() === '' || !Number.isFinite(delay) || delay <= 0) {
      throw new ScheduleFormError('the delay is a positive number of seconds', 'delay');
    }
    raw = { delay };
  } else {
    raw = {};
    for (const field of FIELD_NAMES) {
      const values = parseFieldList(form[field], field);
      if (values) raw[field] = values;
    }
  }
  try {
    return validateSchedule(raw, nowMs);
  } catch (error) {
    if (error instanceof ScheduleError) {
      const field = form.mode === 'cron' ? (/^tz /.test(error.message) ? 'tz' : 'cron') : form.mode === 'delay' ? 'delay' : undefined;
      throw new ScheduleFormError(error.message, field);
    }
    throw error;
  }
}

/** A job's schedule as the form shows it, for editing. */
export function scheduleToForm(schedule: Schedule | null): ScheduleFormValues {
  if (!schedule) return { ...EMPTY_SCHEDULE_FORM };
  if ('delay' in schedule && typeof schedule.delay === 'number') return { ...EMPTY_SCHEDULE_FORM, mode: 'delay', delay: String(schedule.delay) };
  if ('cron' in schedule && typeof schedule.cron === 'string') {
    return { ...EMPTY_SCHEDULE_FORM, mode: 'cron', cron: schedule.cron, tz: schedule.tz ?? 'UTC' };
  }
  const form = { ...EMPTY_SCHEDULE_FORM };
  for (const field of FIELD_NAMES) {
    const values = (schedule as Partial<Record<FieldName, number[]>>)[field];
    form[field] = values && values.length > 0 ? values.join(',') : '*';
  }
  return form;
}

/** The form's values from a submitted form (missing fields take the empty form's). */
export function readScheduleForm(get: (name: string) => string | null | undefined): ScheduleFormValues {
  const form = { ...EMPTY_SCHEDULE_FORM };
  for (const key of Object.keys(form) as Array<keyof ScheduleFormValues>) {
    const value = get(key);
    if (typeof value === 'string') (form as Record<string, string>)[key] = value;
  }
  if (!['fields', 'cron', 'delay'].includes(form.mode)) form.mode = 'fields';
  return form;
}

/** The next `count` run times after `fromMs` (fewer when the schedule runs out within a year; one for a delay). */
export function nextRunTimes(schedule: Schedule, fromMs: number, count = 5): number[] {
  const times: number[] = [];
  let at = fromMs;
  while (times.length < count) {
    const next = nextRunAt(schedule, at);
    if (next === null) break;
    times.push(next);
    if ('delay' in schedule && typeof schedule.delay === 'number') break;
    at = next;
  }
  return times;
}

/** A schedule in words, for tables and the job page. */
export function describeSchedule(schedule: Schedule | null): string {
  if (!schedule) return '';
  if ('delay' in schedule && typeof schedule.delay === 'number') return `once, ${schedule.delay} s after it was added`;
  if ('cron' in schedule && typeof schedule.cron === 'string') return `cron ${schedule.cron} (${schedule.tz ?? 'UTC'})`;
  const fields = schedule as Partial<Record<FieldName, number[]>>;
  const given = FIELD_NAMES.filter((field) => fields[field] && fields[field]!.length > 0);
  if (given.length === 0) return 'every minute';
  return FIELD_NAMES.map((field) => `${FIELDS[field].label.toLowerCase()} ${fields[field]?.length ? fields[field]!.join(',') : '*'}`).join(' · ');
}
