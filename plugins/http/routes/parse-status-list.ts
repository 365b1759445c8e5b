import { JOB_STATUSES, type JobStatus } from 'remotetask';
import { HttpError } from '../errors/http-error.js';

/** `?status=queued&status=error` or `?status=queued,error` → the statuses, each checked; undefined when none given. */
export function parseStatusList(value: string | string[] | undefined): JobStatus[] | undefined {
  if (value === undefined) return undefined;
  const statuses = (Array.isArray(value) ? value : [value])
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const unknown = statuses.filter((status) => !(JOB_STATUSES as readonly string[]).includes(status));
  if (unknown.length > 0) {
    throw new HttpError(
      400,
      'bad_request',
      `unknown status ${unknown.map((status) => `"${status}"`).join(', ')}; statuses are ${JOB_STATUSES.join(', ')}`,
    );
  }
  return statuses.length > 0 ? [...new Set(statuses as JobStatus[])] : undefined;
}
