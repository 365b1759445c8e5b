import type { Command } from 'commander';
import type { ScheduleJson } from '../../client/index.js';
import { CliError } from '../cli-error.js';
import { type ClientOptions, clientFor, withClientOptions } from '../client-options.js';
import { parseJsonArgument, parseNumberList, parsePositiveNumber } from '../parse-arguments.js';
import { printLine } from '../print.js';

interface CronOptions extends ClientOptions {
  minute?: string;
  hour?: string;
  dayOfMonth?: string;
  month?: string;
  dayOfWeek?: string;
  delay?: string;
  cron?: string;
  tz?: string;
}

const FIELD_OPTIONS = [
  ['minute', 'minute'],
  ['hour', 'hour'],
  ['dayOfMonth', 'day-of-month'],
  ['month', 'month'],
  ['dayOfWeek', 'day-of-week'],
] as const;

/** The schedule the options describe; the server checks ranges and combinations and says what is wrong. */
function scheduleOf(options: CronOptions): ScheduleJson {
  const schedule: ScheduleJson = {};
  for (const [key, option] of FIELD_OPTIONS) {
    const value = options[key];
    if (value !== undefined) schedule[key] = parseNumberList(value, option);
  }
  if (options.delay !== undefined) schedule.delay = parsePositiveNumber(options.delay, 'delay');
  if (options.cron !== undefined) schedule.cron = options.cron;
  if (options.tz !== undefined) schedule.tz = options.tz;
  if (Object.keys(schedule).length === 0) {
    throw new CliError('give a schedule: --minute/--hour/--day-of-month/--month/--day-of-week lists, --cron "expression" [--tz zone], or --delay seconds');
  }
  return schedule;
}

export function registerCron(program: Command): void {
  const cron = program.command('cron').description('cron jobs');
  withClientOptions(
    cron
      .command('add')
      .description('add a cron job (or with --delay a delayed job); prints its id')
      .argument('<task>', 'the task to run')
      .argument('[json]', 'the job\'s input as JSON (default null)')
      .option('--minute <list>', 'minutes 0-59, e.g. 0,30')
      .option('--hour <list>', 'hours 0-23')
      .option('--day-of-month <list>', 'days of the month 1-31')
      .option('--month <list>', 'months 1-12')
      .option('--day-of-week <list>', 'days of the week 0-6, 0 = Monday (as the seed)')
      .option('--cron <expression>', 'a 5-field cron expression instead of the lists, e.g. "*/15 * * * *"')
      .option('--tz <zone>', 'the IANA time zone of --cron (default UTC)')
      .option('--delay <seconds>', 'run once, this many seconds from now'),
  ).action(async (task: string, json: string | undefined, options: CronOptions) => {
    const input = parseJsonArgument(json);
    const schedule = scheduleOf(options);
    const { id } = await (await clientFor(options)).service(options.service).addCronJob(task, input, schedule);
    printLine(String(id));
  });
}
