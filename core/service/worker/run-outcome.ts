import type { Logger } from 'winston';
import type { JobRecord } from '../../jobs/job.js';
import type { JobOutcome } from '../../store/job-store.js';
import { SnoozeError } from '../../tasks/snooze-error.js';
import { TaskError } from '../../tasks/task-error.js';
import type { Task } from '../../tasks/task.js';
import { validateTaskOutput } from '../../tasks/task-schemas.js';
import { backoffDelay, type ServiceOptions } from '../service-options.js';
import type { AbortReason } from './held-jobs.js';

/** How a run ended, before the store's bookkeeping fields are added. */
export type RunOutcome = JobOutcome extends infer O ? (O extends JobOutcome ? Omit<O, 'id' | 'workerId' | 'now'> : never) : never;

/** How the task itself ended. */
export type Settled =
  | { kind: 'returned'; value: unknown }
  | { kind: 'threw'; error: unknown }
  | { kind: 'abandoned' };

export interface OutcomeContext {
  logger: Logger;
  options: ServiceOptions;
}

/**
 * The outcome of a run from how its task ended and why it was aborted, if it was; undefined when
 * the lease was lost (the outcome is not this worker's to write).
 */
export function outcomeOf(
  context: OutcomeContext,
  task: Task,
  job: JobRecord,
  settled: Settled,
  reason: AbortReason | undefined,
  timeout: number | undefined,
  now: number,
): RunOutcome | undefined {
  if (reason === 'lease lost') {
    context.logger.warn(`job ${job.id} (task ${job.task}) lost its lease; another worker may run it`);
    return undefined;
  }
  if (reason === 'cancelled') return { kind: 'cancelled', error: 'cancelled while running' };
  if (reason === 'stopping') return { kind: 'released' };
  if (reason === 'timeout') {
    return failure(context, job, new Error(`task "${job.task}" timed out after ${timeout} ms`), now);
  }
  if (settled.kind === 'returned') return checkedAgainstOutputSchema(task, job, completion(job, settled.value));
  if (settled.kind === 'threw') {
    if (SnoozeError.is(settled.error)) return { kind: 'snoozed', runAt: now + Math.ceil(settled.error.seconds * 1000) };
    if (TaskError.is(settled.error)) return { kind: 'failed', error: settled.error.message, errorStack: null };
    return failure(context, job, settled.error, now);
  }
  return { kind: 'failed', error: `task "${job.task}" did not stop when aborted`, errorStack: null };
}

function completion(job: JobRecord, value: unknown): RunOutcome {
  // Plain JSON scalars need no copy; anything else goes through JSON once, which both checks
  // that the store can keep it and detaches it from the task's objects.
  if (value === undefined || value === null) return { kind: 'completed', result: null };
  const type = typeof value;
  if (type === 'string' || type === 'boolean' || (type === 'number' && Number.isFinite(value))) {
    return { kind: 'completed', result: value };
  }
  try {
    // The store keeps JSON: a result that cannot become JSON fails its job here, clearly.
    const json = JSON.stringify(value);
    return { kind: 'completed', result: json === undefined ? null : JSON.parse(json) };
  } catch (error) {
    return {
      kind: 'failed',
      error: `the result of task "${job.task}" cannot be stored as JSON: ${(error as Error).message}`,
      errorStack: null,
    };
  }
}

/** An unexpected error: retried while attempts are left (never for cron jobs, which run again anyway). */
function failure(context: OutcomeContext, job: JobRecord, error: unknown, now: number): RunOutcome {
  const err = error instanceof Error ? error : new Error(String(error));
  const message = err.message || String(error);
  const canRetry = job.status === 'processing' && job.attempts < job.maxAttempts;
  const where = `job ${job.id} (task ${job.task}) failed on attempt ${job.attempts} of ${job.maxAttempts}`;
  if (canRetry) {
    const delay = backoffDelay(context.options, job.attempts);
    context.logger.error(`${where}, retrying in ${delay} ms: ${message}`, { stack: err.stack });
    return { kind: 'retry', error: message, errorStack: err.stack ?? null, runAt: now + delay };
  }
  context.logger.error(`${where}: ${message}`, { stack: err.stack });
  return { kind: 'failed', error: message, errorStack: err.stack ?? null };
}

/** A result that breaks the task's own output schema fails its job (no retry: the task would break it again). */
function checkedAgainstOutputSchema(task: Task, job: JobRecord, outcome: RunOutcome): RunOutcome {
  if (outcome.kind !== 'completed') return outcome;
  const problems = validateTaskOutput(task, outcome.result);
  if (problems.length === 0) return outcome;
  const listed = problems.map((problem) => `${problem.path || '(result)'} ${problem.message}`).join('; ');
  return { kind: 'failed', error: `the result of task "${job.task}" does not match its output schema: ${listed}`, errorStack: null };
}
