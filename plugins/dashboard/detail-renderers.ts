import type { JobRecord, Token } from 'remotetask';
import { html, type SafeHtml, toSafeHtml } from 'remotetask/http';

/**
 * The extension point for how a task's jobs show in the dashboard: its "detail" column and the
 * detail section of its job page (the seed's `<task>_detail` views).
 *
 * ```ts
 * ctx.contribute(DetailRenderers, { task: 'echo', detail: (job) => `echo: ${…}` });
 * ```
 *
 * This module imports nothing heavy, so a task plugin can contribute a renderer without loading
 * the web stack (workers load the plugin too). Plugins outside this repository can use the same
 * key: `Symbol.for('remotetask.dashboard.detailRenderers')`.
 */
export const DetailRenderers: Token<DetailRenderer> = Symbol.for('remotetask.dashboard.detailRenderers');

/** What a renderer returns: plain text (the dashboard escapes it) or `html\`…\`` markup (inserted as is). */
export type RenderedDetail = string | SafeHtml;

export interface DetailRenderer {
  /** The task whose jobs it renders. */
  task: string;
  /** The job's "detail" column in the jobs table: short, one line. */
  detail(job: JobRecord): RenderedDetail;
  /** The detail section of the job page; without it the page shows `detail(job)`. */
  page?(job: JobRecord): RenderedDetail;
}

const DEFAULT_DETAIL_LENGTH = 80;

/** Shortens text to `max` characters, with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The detail of a task without a renderer: its input as short JSON (nothing for a null input). */
export function defaultDetail(job: Pick<JobRecord, 'input'>): string {
  if (job.input === null || job.input === undefined) return '';
  let text: string;
  try {
    text = JSON.stringify(job.input) ?? '';
  } catch {
    text = String(job.input);
  }
  return truncate(text, DEFAULT_DETAIL_LENGTH);
}

/**
 * The renderers plugins contributed, by task; a task without one gets {@link defaultDetail}. A
 * renderer that throws does not break the page: the job shows the default detail, and the
 * failure is reported once per task.
 */
export class DetailRendererRegistry {
  readonly #byTask = new Map<string, DetailRenderer>();
  readonly #reported = new Set<string>();

  constructor(
    renderers: readonly DetailRenderer[],
    private readonly onError: (task: string, error: Error) => void = () => {},
  ) {
    for (const renderer of renderers) {
      if (typeof renderer?.task !== 'string' || typeof renderer.detail !== 'function') {
        throw new TypeError('a detail renderer is { task: string, detail(job), page?(job) }');
      }
      if (this.#byTask.has(renderer.task)) {
        throw new Error(`two plugins contributed a detail renderer for task "${renderer.task}"`);
      }
      this.#byTask.set(renderer.task, renderer);
    }
  }

  has(task: string): boolean {
    return this.#byTask.has(task);
  }

  /** The job's "detail" column. */
  detail(job: JobRecord): SafeHtml {
    const renderer = this.#byTask.get(job.task);
    return this.#safely(job, renderer && ((record) => renderer.detail(record)));
  }

  /** The job page's detail section. */
  page(job: JobRecord): SafeHtml {
    const renderer = this.#byTask.get(job.task);
    return this.#safely(job, renderer && ((record) => (renderer.page ?? renderer.detail).call(renderer, record)));
  }

  #safely(job: JobRecord, render: ((job: JobRecord) => RenderedDetail) | undefined): SafeHtml {
    if (render) {
      try {
        return toSafeHtml(render(job));
      } catch (error) {
        if (!this.#reported.has(job.task)) {
          this.#reported.add(job.task);
          this.onError(job.task, error as Error);
        }
      }
    }
    return html`${defaultDetail(job)}`;
  }
}
