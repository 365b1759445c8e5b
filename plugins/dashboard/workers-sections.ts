import type { Token } from 'remotetask';
import type { SafeHtml } from 'remotetask/http';

/** What a section of the Workers page sees of the request. */
export interface WorkersSectionView {
  now: number;
  canWrite: boolean;
}

/**
 * A section a plugin adds to the Workers page, below the processes (refreshed with them):
 * `ctx.contribute(WorkersSections, { render: (view) => html`…` })`. The agents plugin lists its agents so.
 */
export interface WorkersSection {
  render(view: WorkersSectionView): SafeHtml | Promise<SafeHtml>;
}

export const WorkersSections: Token<WorkersSection> = Symbol.for('remotetask.dashboard.workersSections');

/** The dashboard's path of a job's page, for sections that link to jobs. */
export { jobUrl } from './views/urls.js';
