import type { Schedule } from '../../jobs/job.js';
import type { ClaimOptions, NewJob } from '../job-store.js';

// The jobs, names and times every part of the contract suite uses.

export const T0 = 1_700_000_000_000;
export const SERVICE = 'site1@TestTaskService1';
export const OTHER = '@RootTaskService';
export const LEASE = 30_000;
export const LOST = 'the worker running this job was lost (its lease expired) and no attempt is left';
/** Stands in for the cron module: the next occurrence is always a minute later. */
export const everyMinute = (_schedule: Schedule, now: number) => now + 60_000;

export function newJob(overrides: Partial<NewJob> = {}): NewJob {
  return {
    service: SERVICE,
    task: 'echo',
    input: { foo: 'bar' },
    status: 'queued',
    maxAttempts: 3,
    created: T0,
    runAt: 0,
    schedule: null,
    ...overrides,
  };
}

export function cronJob(overrides: Partial<NewJob> = {}): NewJob {
  return newJob({ status: 'cronjob', runAt: T0 + 600_000, schedule: { minute: [10, 13] }, ...overrides });
}

export function delayedJob(overrides: Partial<NewJob> = {}): NewJob {
  return newJob({ status: 'delayed', runAt: T0 + 10_000, schedule: { delay: 10 }, ...overrides });
}

export function claimOptions(overrides: Partial<ClaimOptions> = {}): ClaimOptions {
  return { service: SERVICE, now: T0, workerId: 'w1', leaseMs: LEASE, nextRunAt: everyMinute, ...overrides };
}

export function bounded<T>(promise: Promise<T>, message: string, ms = 2_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
