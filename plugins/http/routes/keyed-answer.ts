import type { JobRecord, KeyedInsert } from 'remotetask';
import type { JobCreatedJson } from 'remotetask/client';

/** The answer to an add: the job's id and status, and for a keyed job what happened. */
export function keyedAnswer(job: JobRecord, outcome: KeyedInsert['outcome']): JobCreatedJson {
  return job.key === null ? { id: job.id, status: job.status } : { id: job.id, status: job.status, outcome };
}
