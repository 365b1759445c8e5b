import { FINISHED_STATUSES, type FinishedStatus } from '../../store/retention-rules.js';

/** A duration: milliseconds, or a whole or decimal number with a unit: `'500ms'`, `'30s'`, `'15m'`, `'12h'`, `'7d'`, `'2w'`. */
export type Duration = number | string;

/** How long finished jobs of one status are kept: a duration, a duration and / or a count, or `false` (forever). */
export type RetentionRule = Duration | { maxAge?: Duration; maxCount?: number } | false;

/** A service's retention, by finished status; a status left out takes the default, `false` turns retention off. */
export type RetentionConfig = Partial<Record<FinishedStatus, RetentionRule>>;

/**
 * The default: completed jobs a week (pg-boss deletes after 7 days too), failed ones a month (they
 * are the ones people look into and retry), cancelled ones a week; and a count per status, so that
 * a burst of millions of jobs does not sit in the store for the whole period.
 */
export const DEFAULT_RETENTION: Readonly<Record<FinishedStatus, RetentionRule>> = Object.freeze({
  completed: { maxAge: '7d', maxCount: 100_000 },
  error: { maxAge: '30d', maxCount: 10_000 },
  cancelled: { maxAge: '7d', maxCount: 10_000 },
});

/** One status's retention, checked: null for no bound of that kind. */
export interface RetentionLimit {
  status: FinishedStatus;
  maxAgeMs: number | null;
  maxCount: number | null;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d{1,15}(?:\.\d{1,6})?) ?(ms|s|m|h|d|w)$/;
const DURATION_HINT = 'write a number and a unit (ms, s, m, h, d or w) like "7d" or "12h", or a number of milliseconds';

/** Milliseconds of a duration, or a sentence saying what is wrong with it. */
export function parseDuration(value: unknown): number | string {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? value : `${value} is not a duration: a number of milliseconds must be 0 or more`;
  }
  if (typeof value !== 'string') return `${JSON.stringify(value)} is not a duration: ${DURATION_HINT}`;
  const match = DURATION.exec(value.trim());
  if (!match) return `${JSON.stringify(value)} is not a duration: ${DURATION_HINT}`;
  return Math.round(Number(match[1]) * UNIT_MS[match[2]]);
}

/** The service's retention with the defaults filled in: `false` stays off, each status's rule wins over the defaults'. */
export function mergeRetention(...layers: (RetentionConfig | false | undefined)[]): RetentionConfig | false {
  let merged = { ...DEFAULT_RETENTION } as RetentionConfig | false;
  for (const layer of layers) {
    if (layer === undefined) continue;
    merged = layer === false ? false : { ...(merged === false ? {} : merged), ...layer };
  }
  return merged;
}

/** What is wrong with a retention setting, one sentence per problem, each naming its key under `at`. */
export function retentionProblems(value: unknown, at: string): string[] {
  if (value === false) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`${at} must be false or an object of statuses (completed, error, cancelled), got ${JSON.stringify(value)}`];
  }
  const problems: string[] = [];
  for (const [status, rule] of Object.entries(value)) {
    const key = `${at}.${status}`;
    if (!(FINISHED_STATUSES as readonly string[]).includes(status)) {
      problems.push(`${key}: unknown status "${status}" (retention applies to ${FINISHED_STATUSES.join(', ')}; cron jobs are never removed)`);
      continue;
    }
    if (rule === false) continue;
    if (typeof rule === 'object' && rule !== null && !Array.isArray(rule)) {
      const { maxAge, maxCount, ...rest } = rule as Record<string, unknown>;
      for (const unknown of Object.keys(rest)) problems.push(`${key}.${unknown}: unknown key "${unknown}" (known keys: maxAge, maxCount)`);
      if (maxAge === undefined && maxCount === undefined) problems.push(`${key} needs maxAge, maxCount or both (or false to keep these jobs forever)`);
      if (maxAge !== undefined) {
        const age = parseDuration(maxAge);
        if (typeof age === 'string') problems.push(`${key}.maxAge: ${age}`);
      }
      if (maxCount !== undefined && !(Number.isSafeInteger(maxCount) && (maxCount as number) >= 0)) {
        problems.push(`${key}.maxCount must be a whole number, 0 or more, got ${JSON.stringify(maxCount)}`);
      }
      continue;
    }
    const age = parseDuration(rule);
    if (typeof age === 'string') problems.push(`${key}: ${age} (or { maxAge, maxCount }, or false to keep these jobs forever)`);
  }
  return problems;
}

/** The limits a sweep applies; throws an Error naming every problem of a setting no config check saw (a service added in code). */
export function retentionLimits(value: RetentionConfig | false, at = 'retention'): RetentionLimit[] {
  const problems = retentionProblems(value, at);
  if (problems.length > 0) throw new Error(`invalid retention: ${problems.join('; ')}`);
  if (value === false) return [];
  const limits: RetentionLimit[] = [];
  for (const status of FINISHED_STATUSES) {
    const rule = value[status];
    if (rule === undefined || rule === false) continue;
    if (typeof rule === 'object') {
      limits.push({
        status,
        maxAgeMs: rule.maxAge === undefined ? null : (parseDuration(rule.maxAge) as number),
        maxCount: rule.maxCount ?? null,
      });
    } else {
      limits.push({ status, maxAgeMs: parseDuration(rule) as number, maxCount: null });
    }
  }
  return limits;
}
