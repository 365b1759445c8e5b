import type { JobStatus } from '../../jobs/job.js';
import { PARENT_ENDED, UnknownParentError, batchCounts, flowJobStarts, type BatchRecord, type FlowInsert, type NewFlow, type RelatedJob } from '../job-flows.js';
import { decodedJson, jsonText, toJobRecord, type JobRow } from '../job-row.js';
import { retryOnDeadlock } from '../retry-on-deadlock.js';
import { WAITING_SQL } from '../status-sets.js';
import { afterAnnounce, afterNotify, announceAdded, notify } from './notify.js';
import type { PostgresContext } from './postgres-context.js';
import { sqlText } from './tables.js';

// The stored parents are locked (the row lock of this update) until the flow commits: a parent
// that ends meanwhile waits, and its trigger then sees the new links; one that ended first is
// read as ended.
const markParentsText = sqlText(({ jobs }) => `
      UPDATE ${jobs} SET has_children = true WHERE id = ANY($1::bigint[]) AND service = $2 RETURNING id, status`);

const insertBatchText = sqlText(({ batches }) => `
      INSERT INTO ${batches} (service, callback_id, size, created) VALUES ($1, 0, $2, $3) RETURNING id`);

const setCallbackText = sqlText(({ batches }) => `UPDATE ${batches} SET callback_id = $2 WHERE id = $1`);

const insertFlowText = sqlText(({ jobs }) => `
      WITH inserted AS (
        INSERT INTO ${jobs} (service, task, input, status, max_attempts, created, run_at, schedule, timeout_ms, priority,
          error, completed, parents_left, on_parent_failure, has_children, batch_id, gate)
        SELECT service, task, input::jsonb, status, max_attempts, created, run_at, schedule::jsonb, timeout_ms, priority,
          error, completed, parents_left, on_parent_failure, has_children, $17, gate
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::bigint[], $7::bigint[], $8::text[], $9::bigint[],
          $10::smallint[], $11::text[], $12::bigint[], $13::int[], $14::text[], $15::boolean[], $16::int[], $18::text[])
          AS n(service, task, input, status, max_attempts, created, run_at, schedule, timeout_ms, priority,
            error, completed, parents_left, on_parent_failure, has_children, position, gate)
        ORDER BY position
        RETURNING *
      ), ${notify('inserted', WAITING_SQL)}, ${announceAdded('inserted')}
      SELECT * FROM inserted WHERE ${afterNotify} AND ${afterAnnounce}`);

const linkText = sqlText(({ jobParents }) => `
      INSERT INTO ${jobParents} (child_id, parent_id, counted) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::boolean[])`);

/** insertFlow: one transaction of five statements at most, whatever the flow's size. */
export async function insertFlow(ctx: PostgresContext, flow: NewFlow): Promise<FlowInsert> {
  const { jobs } = flow;
  if (jobs.length === 0) return { jobs: [], batchId: null };
  const service = jobs[0].service;
  const wanted = [...new Set(jobs.flatMap((job) => job.parentIds))].filter((id) => Number.isSafeInteger(id));
  const referenced = new Set(jobs.flatMap((job) => job.parentRefs));
  // Two flows naming the same parents in another order, or a flow and a batch of outcomes, can
  // deadlock on the parents' rows: PostgreSQL aborts one, which is run again whole.
  const inserted = await retryOnDeadlock(() => ctx.transaction(async (tx): Promise<FlowInsert> => {
    const marked = wanted.length === 0 ? [] : (await tx.query<{ id: number; status: JobStatus }>({
      name: 'remotetask-flow-mark-parents', text: markParentsText(ctx.tables), values: [wanted.sort((a, b) => a - b), service],
    })).rows;
    const stored = new Map(marked.map((row) => [row.id, row.status]));
    const unknown = [...new Set(jobs.flatMap((job) => job.parentIds))].filter((id) => !stored.has(id));
    if (unknown.length > 0) throw new UnknownParentError(unknown.sort((a, b) => a - b), service);
    const starts = flowJobStarts(jobs, stored);
    const batchId = flow.batch
      ? (await tx.query<{ id: number }>({ name: 'remotetask-flow-batch', text: insertBatchText(ctx.tables), values: [service, jobs.length - 1, jobs[0].created] })).rows[0].id
      : null;
    const { rows } = await tx.query<JobRow>({
      name: 'remotetask-flow-insert',
      text: insertFlowText(ctx.tables),
      values: [
        jobs.map((job) => job.service), jobs.map((job) => job.task), jobs.map((job) => jsonText(job.input ?? null)),
        starts.map((start) => start.status), jobs.map((job) => job.maxAttempts), jobs.map((job) => job.created),
        jobs.map((job) => job.runAt), jobs.map((job) => jsonText(job.schedule)), jobs.map((job) => job.timeout ?? null),
        jobs.map((job) => job.priority ?? 0), starts.map((start) => start.error),
        starts.map((start, index) => (start.status === 'cancelled' ? jobs[index].created : null)),
        starts.map((start) => start.parentsLeft), starts.map((start, index) => (start.parentsLeft === null ? null : jobs[index].onParentFailure)),
        jobs.map((_, index) => referenced.has(index)), jobs.map((_, index) => index), batchId, jobs.map((job) => job.gate ?? null),
      ],
    });
    // Identities are drawn in input order.
    rows.sort((a, b) => a.id - b.id);
    const ids = rows.map((row) => row.id);
    const links = { child: [] as number[], parent: [] as number[], counted: [] as boolean[] };
    jobs.forEach((job, index) => {
      const parents = [
        ...job.parentIds.map((id) => ({ id, status: stored.get(id)! })),
        ...job.parentRefs.map((ref) => ({ id: ids[ref], status: starts[ref].status as JobStatus })),
      ];
      for (const parent of parents) {
        links.child.push(ids[index]);
        links.parent.push(parent.id);
        links.counted.push(PARENT_ENDED.includes(parent.status));
      }
    });
    if (links.child.length > 0) {
      await tx.query({ name: 'remotetask-flow-link', text: linkText(ctx.tables), values: [links.child, links.parent, links.counted] });
    }
    if (batchId !== null) await tx.query({ name: 'remotetask-flow-callback', text: setCallbackText(ctx.tables), values: [batchId, ids[ids.length - 1]] });
    return { jobs: rows.map((row) => toJobRecord(row, decodedJson)), batchId };
  }));
  if (inserted.jobs.some((job) => job.status === 'queued')) ctx.wakeLocally([service]);
  return inserted;
}

const relatedText = (join: 'parent_id' | 'child_id', by: 'child_id' | 'parent_id') =>
  sqlText(({ jobs, jobParents }) => `
      SELECT j.id, j.task, j.status, j.result, j.error FROM ${jobParents} d JOIN ${jobs} j ON j.id = d.${join}
      WHERE d.${by} = $1 ORDER BY d.${join} LIMIT $2`);
const parentsText = relatedText('parent_id', 'child_id');
const childrenText = relatedText('child_id', 'parent_id');

export async function relatedJobs(ctx: PostgresContext, which: 'parents' | 'children', id: number, limit = 1000): Promise<RelatedJob[]> {
  if (!Number.isSafeInteger(id)) return [];
  const { rows } = await ctx.query<RelatedJob>({
    name: `remotetask-${which}-of`,
    text: (which === 'parents' ? parentsText : childrenText)(ctx.tables),
    values: [id, limit],
  });
  return rows.map((row) => ({ id: row.id, task: row.task, status: row.status, result: row.result ?? null, error: row.error }));
}

const batchText = sqlText(({ batches }) => `SELECT id, service, callback_id, size, created FROM ${batches} WHERE id = $1`);
const batchCountsText = sqlText(({ jobs }) => `
      SELECT status, count(*) AS count FROM ${jobs} WHERE batch_id = $1 AND id <> $2 GROUP BY status`);

export async function getBatch(ctx: PostgresContext, id: number): Promise<BatchRecord | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const found = await ctx.query<{ id: number; service: string; callback_id: number; size: number; created: number }>({
    name: 'remotetask-batch', text: batchText(ctx.tables), values: [id],
  });
  const batch = found.rows[0];
  if (!batch) return undefined;
  const { rows } = await ctx.query<{ status: JobStatus; count: number }>({
    name: 'remotetask-batch-counts', text: batchCountsText(ctx.tables), values: [id, batch.callback_id],
  });
  return { id: batch.id, service: batch.service, callbackId: batch.callback_id, size: batch.size, created: batch.created, ...batchCounts(rows) };
}
