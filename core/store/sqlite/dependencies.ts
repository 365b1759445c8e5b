import type { Database } from 'better-sqlite3';
import type { JobRecord, JobStatus } from '../../jobs/job.js';
import { UnknownParentError, batchCounts, flowJobStarts, type BatchRecord, type FlowInsert, type NewFlow, type RelatedJob } from '../job-flows.js';
import { parseJsonText, toJobRecord, type JobRow } from '../job-row.js';
import type { WakeHub } from '../wake-hub.js';
import { transaction, type Prepared } from './sqlite-statements.js';

export const DEPENDENCIES_SQL = {
  parentStatus: `SELECT id, service, status FROM jobs WHERE id IN (SELECT value FROM json_each(?))`,
  markParents: `UPDATE jobs SET has_children = 1 WHERE id IN (SELECT value FROM json_each(?)) AND NOT has_children`,
  insertFlowJob: `
    INSERT INTO jobs (service, task, input, status, max_attempts, created, run_at, schedule, timeout_ms, priority,
      error, completed, parents_left, on_parent_failure, has_children, batch_id, gate)
    VALUES (@service, @task, @input, @status, @maxAttempts, @created, @runAt, @schedule, @timeout, @priority,
      @error, @completed, @parentsLeft, @onParentFailure, @hasChildren, @batchId, @gate)
    RETURNING *`,
  // counted: a parent that had ended when the link was made was counted by flowJobStarts.
  link: `INSERT INTO job_parents (child_id, parent_id, counted)
         SELECT ?, value, (SELECT status IN ('completed', 'error', 'cancelled') FROM jobs WHERE id = value) FROM json_each(?)`,
  insertBatch: `INSERT INTO batches (service, callback_id, size, created) VALUES (?, 0, ?, ?) RETURNING id`,
  setBatchCallback: `UPDATE batches SET callback_id = ? WHERE id = ?`,
  parentsOf: `
    SELECT j.id, j.task, j.status, j.result, j.error FROM job_parents d JOIN jobs j ON j.id = d.parent_id
    WHERE d.child_id = ? ORDER BY d.parent_id LIMIT ?`,
  childrenOf: `
    SELECT j.id, j.task, j.status, j.result, j.error FROM job_parents d JOIN jobs j ON j.id = d.child_id
    WHERE d.parent_id = ? ORDER BY d.child_id LIMIT ?`,
  batch: `SELECT id, service, callback_id, size, created FROM batches WHERE id = ?`,
  batchCounts: `SELECT status, count(*) AS count FROM jobs WHERE batch_id = ? AND id <> ? GROUP BY status`,
} as const;

type Statements = Prepared<typeof DEPENDENCIES_SQL>;

/** insertFlow: one transaction; a parent of another service or none at all rejects it whole. */
export function insertFlow(db: Database, sql: Statements, wakes: WakeHub, flow: NewFlow): FlowInsert {
  const { jobs } = flow;
  if (jobs.length === 0) return { jobs: [], batchId: null };
  const service = jobs[0].service;
  const referenced = new Set(jobs.flatMap((job) => job.parentRefs));
  const run = transaction(db, (): FlowInsert => {
    const wanted = [...new Set(jobs.flatMap((job) => job.parentIds))];
    const found = sql.parentStatus.all(JSON.stringify(wanted)) as { id: number; service: string; status: JobStatus }[];
    const stored = new Map(found.filter((row) => row.service === service).map((row) => [row.id, row.status]));
    const unknown = wanted.filter((id) => !stored.has(id));
    if (unknown.length > 0) throw new UnknownParentError(unknown.sort((a, b) => a - b), service);
    const starts = flowJobStarts(jobs, stored);
    const batchId = flow.batch ? (sql.insertBatch.get(service, jobs.length - 1, jobs[0].created) as { id: number }).id : null;
    const ids: number[] = [];
    const records = jobs.map((job, index): JobRecord => {
      const start = starts[index];
      const row = sql.insertFlowJob.get({
        service: job.service, task: job.task, input: JSON.stringify(job.input ?? null), status: start.status,
        maxAttempts: job.maxAttempts, created: job.created, runAt: job.runAt,
        schedule: job.schedule === null ? null : JSON.stringify(job.schedule), timeout: job.timeout ?? null, priority: job.priority ?? 0,
        error: start.error, completed: start.status === 'cancelled' ? job.created : null, parentsLeft: start.parentsLeft,
        onParentFailure: start.parentsLeft === null ? null : job.onParentFailure, hasChildren: referenced.has(index) ? 1 : 0, batchId,
        gate: job.gate ?? null,
      }) as JobRow<string>;
      ids.push(row.id);
      const parents = [...job.parentIds, ...job.parentRefs.map((ref) => ids[ref])];
      if (parents.length > 0) sql.link.run(row.id, JSON.stringify(parents));
      return toJobRecord(row, parseJsonText);
    });
    if (wanted.length > 0) sql.markParents.run(JSON.stringify(wanted));
    if (batchId !== null) sql.setBatchCallback.run(ids[ids.length - 1], batchId);
    return { jobs: records, batchId };
  });
  const inserted = run.immediate();
  if (inserted.jobs.some((job) => job.status === 'queued')) wakes.wake(service);
  return inserted;
}

export function relatedJobs(sql: Statements, which: 'parentsOf' | 'childrenOf', id: number, limit = 1000): RelatedJob[] {
  const rows = sql[which].all(id, limit) as { id: number; task: string; status: JobStatus; result: string | null; error: string | null }[];
  return rows.map((row) => ({ ...row, result: parseJsonText(row.result) }));
}

export function getBatch(sql: Statements, id: number): BatchRecord | undefined {
  const batch = sql.batch.get(id) as { id: number; service: string; callback_id: number; size: number; created: number } | undefined;
  if (!batch) return undefined;
  const counts = batchCounts(sql.batchCounts.all(id, batch.callback_id) as { status: JobStatus; count: number }[]);
  return { id: batch.id, service: batch.service, callbackId: batch.callback_id, size: batch.size, created: batch.created, ...counts };
}
