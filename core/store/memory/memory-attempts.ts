import type { JobAttempt } from '../../jobs/job-attempt.js';
import { ATTEMPTS_KEPT } from '../attempt-rules.js';

/**
 * The attempt histories of the memory store, held by the job rows themselves (weakly): a job
 * removed from the store (clean, retention) takes its history with it, with no step of its own.
 */
export class MemoryAttempts {
  private readonly byJob = new WeakMap<object, JobAttempt[]>();

  /** Appends the attempt, dropping the oldest beyond ATTEMPTS_KEPT. */
  record(job: object, attempt: JobAttempt): void {
    let history = this.byJob.get(job);
    if (!history) this.byJob.set(job, (history = []));
    history.push(attempt);
    if (history.length > ATTEMPTS_KEPT) history.splice(0, history.length - ATTEMPTS_KEPT);
  }

  /** Newest first, as copies. */
  list(job: object | undefined): JobAttempt[] {
    return job ? [...(this.byJob.get(job) ?? [])].reverse().map((attempt) => ({ ...attempt })) : [];
  }
}
