import type { BatchRecord, JobRecord, RelatedJob, TaskService } from 'remotetask';
import { html, type SafeHtml } from 'remotetask/http';
import { percent } from './format.js';
import { statusBadge } from './layout.js';
import { jobUrl } from './urls.js';

/** What a job's page shows of its flow: the jobs it waits for, those that wait for it, its batch. */
export interface JobFlowFacts {
  parents: RelatedJob[];
  children: RelatedJob[];
  batch: BatchRecord | null;
}

/** How many related jobs a page lists of each kind (a batch's callback waits for thousands). */
const SHOWN = 50;

/** Reads the facts, three index reads; none for a job outside any flow. */
export async function jobFlowFacts(service: TaskService, job: JobRecord): Promise<JobFlowFacts> {
  const [{ parents, children }, batch] = await Promise.all([
    service.relatedJobs(job.id, SHOWN + 1),
    job.batchId === null ? undefined : service.getBatch(job.batchId),
  ]);
  return { parents, children, batch: batch ?? null };
}

function jobList(service: string, jobs: RelatedJob[], total?: number): SafeHtml {
  const shown = jobs.slice(0, SHOWN);
  const more = (total ?? jobs.length) - shown.length;
  return html`<ul class="related-jobs">${shown.map((job) => html`<li><a href="${jobUrl(service, job.id)}">Job ${job.id}</a> <code class="muted">${job.task}</code> ${statusBadge(job.status)}</li>`)}${
    more > 0 && html`<li class="muted">and ${more} more</li>`
  }</ul>`;
}

/** The flow section of a job's page, or nothing for a job that is in none. */
export function flowSection(job: JobRecord, facts: JobFlowFacts): SafeHtml {
  const { parents, children, batch } = facts;
  if (parents.length === 0 && children.length === 0 && batch === null) return html``;
  const ended = batch ? batch.completed + batch.failed + batch.cancelled : 0;
  const isCallback = batch !== null && batch.callbackId === job.id;
  return html`<section class="panel" id="flow" aria-labelledby="flow-title">
  <h2 id="flow-title">Flow</h2>
  ${batch && html`<div class="batch" aria-label="Batch ${batch.id}">
    <p>${isCallback ? html`The callback of batch ${batch.id}` : html`A job of batch ${batch.id} (callback: <a href="${jobUrl(job.service, batch.callbackId)}">job ${batch.callbackId}</a>)`}:
      <b>${ended} of ${batch.size}</b> ended — ${batch.completed} completed, ${batch.failed} failed, ${batch.cancelled} cancelled, ${batch.pending} pending.</p>
    <progress max="100" value="${percent(batch.size === 0 ? 1 : ended / batch.size)}" aria-label="Batch progress"></progress>
  </div>`}
  ${parents.length > 0 && !isCallback && html`<h3>Waits for</h3>${jobList(job.service, parents)}`}
  ${children.length > 0 && html`<h3>Waited for by</h3>${jobList(job.service, children)}`}
</section>`;
}
