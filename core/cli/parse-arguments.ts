import { CliError } from './cli-error.js';

/** A job's input given on the command line as JSON; no argument means null. */
export function parseJsonArgument(text: string | undefined, what = 'input'): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`the ${what} is not valid JSON (${(error as Error).message}): quote it for the shell, e.g. '{"foo": "bar"}'`);
  }
}

export function parseJobId(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new CliError(`"${text}" is not a job id: ids are whole numbers from 1`);
  }
  return Number(text);
}

/** `0,30` → [0, 30]: a schedule field's list. */
export function parseNumberList(text: string, option: string): number[] {
  const items = text.split(',').map((item) => item.trim());
  if (items.some((item) => !/^\d+$/.test(item))) {
    throw new CliError(`--${option} takes whole numbers separated by commas, e.g. 0,30; got "${text}"`);
  }
  return items.map(Number);
}

export function parsePositiveNumber(text: string, option: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) throw new CliError(`--${option} takes a positive number, got "${text}"`);
  return value;
}

/** `queued,error` (or repeated options) → the list. */
export function parseList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((item) => item.trim()).filter((item) => item !== '')];
}
