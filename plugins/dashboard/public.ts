/**
 * `remotetask/dashboard`: what plugin authors use to show their tasks' jobs in the dashboard.
 * Light on purpose (no web stack): a task plugin that workers load too can contribute a renderer.
 *
 * ```ts
 * ctx.contribute(DetailRenderers, { task: 'thumbnail', detail: (job) => `${job.input.file}` });
 * ```
 */
export { DetailRenderers, defaultDetail, truncate, type DetailRenderer, type RenderedDetail } from './detail-renderers.js';
export { WorkersSections, jobUrl, type WorkersSection, type WorkersSectionView } from './workers-sections.js';
