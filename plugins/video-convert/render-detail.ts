import type { JobRecord } from 'remotetask';
import { FILE_ID_PATTERN } from '../files/index.js';
import { FORMATS, type TargetFormat } from './formats.js';

/** What the renderers read of a job: the dashboard hands them a JobRecord. */
export type RenderableJob = Pick<JobRecord, 'status' | 'input' | 'result' | 'progress' | 'progressMessage' | 'error'>;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const FILE_ID = new RegExp(FILE_ID_PATTERN);

function escape(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (character) => ESCAPES[character]!);
}

type Fields = Record<string, unknown>;
const asFields = (value: unknown): Fields => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : {});
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const number = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** 1234567 → `1.2 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  do {
    value /= 1000;
    unit++;
  } while (value >= 1000 && unit < units.length - 1);
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function percent(fraction: number): string {
  return `${Math.floor(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}

function targetLabel(to: unknown): string {
  return typeof to === 'string' && to in FORMATS ? FORMATS[to as TargetFormat].label : String(to ?? '?');
}

/** The result's download link, only when it is one of ours: `/api/files/<id>`. */
function downloadUrl(result: Fields): string | undefined {
  const id = text(result.id);
  return id && FILE_ID.test(id) ? `/api/files/${id}` : undefined;
}

function sourceName(job: RenderableJob): string {
  const input = asFields(job.input);
  const fromResult = text(asFields(asFields(job.result).source).name);
  if (fromResult) return fromResult;
  if (text(input.path)) return text(input.path)!;
  if (text(input.file)) return `upload ${text(input.file)}`;
  return '?';
}

/** The jobs table's one-line detail, as plain text: `clip.avi → mp4, 42%`. */
export function renderVideoConvertSummary(job: RenderableJob): string {
  const input = asFields(job.input);
  const head = `${sourceName(job)} → ${text(input.to) ?? '?'}`;
  const result = asFields(job.result);
  if (job.status === 'completed' && number(result.size) !== undefined) return `${head}, ${formatBytes(number(result.size)!)}`;
  if (job.status === 'processing' && job.progress !== null) return `${head}, ${percent(job.progress)}`;
  return head;
}

/**
 * The job page's detail section for a `video-convert` job, as HTML: the source, the target format
 * and options, the progress, and — once completed — a download link to the output. Pure: every
 * value from the job is escaped, and only `/api/files/<id>` links are made.
 */
export function renderVideoConvertDetail(job: RenderableJob): string {
  const input = asFields(job.input);
  const result = asFields(job.result);
  const rows: Array<[string, string]> = [];

  const file = text(input.file);
  const path = text(input.path);
  const source = file
    ? `uploaded file <code>${escape(file)}</code>${text(asFields(result.source).name) ? ` (${escape(text(asFields(result.source).name))})` : ''}`
    : path
      ? `<code>${escape(path)}</code> in the media directory`
      : 'unknown';
  rows.push(['Source', source]);

  const options: string[] = [];
  const width = number(input.width);
  const height = number(input.height);
  if (width !== undefined || height !== undefined) options.push(`${width ?? 'auto'} × ${height ?? 'auto'}`);
  if (text(input.videoBitrate)) options.push(`video ${escape(text(input.videoBitrate))}`);
  if (text(input.audioBitrate)) options.push(`audio ${escape(text(input.audioBitrate))}`);
  if (number(input.start) !== undefined) options.push(`from ${escape(number(input.start))} s`);
  if (number(input.duration) !== undefined) options.push(`for ${escape(number(input.duration))} s`);
  rows.push(['Target', `${escape(targetLabel(input.to))}${options.length ? `: ${options.join(', ')}` : ''}`]);

  const fraction = job.status === 'completed' ? 1 : (job.progress ?? 0);
  const state =
    job.status === 'completed'
      ? 'done'
      : job.status === 'processing'
        ? escape(job.progressMessage ?? 'converting')
        : job.progress !== null
          ? `${escape(job.status)} at ${percent(job.progress)}`
          : escape(job.status);
  rows.push([
    'Progress',
    `<progress max="1" value="${fraction.toFixed(3)}">${percent(fraction)}</progress> ${percent(fraction)} — ${state}`,
  ]);

  const url = downloadUrl(result);
  if (job.status === 'completed' && url) {
    const name = text(result.name) ?? `converted.${text(input.to) ?? 'bin'}`;
    const facts = [
      number(result.size) !== undefined ? formatBytes(number(result.size)!) : undefined,
      number(result.duration) !== undefined ? `${number(result.duration)!.toFixed(1)} s` : undefined,
      number(result.width) !== undefined && number(result.height) !== undefined ? `${number(result.width)} × ${number(result.height)}` : undefined,
      [text(result.videoCodec), text(result.audioCodec)].filter(Boolean).join('/') || undefined,
    ].filter((fact): fact is string => fact !== undefined);
    rows.push([
      'Result',
      `<a href="${escape(url)}" download="${escape(name)}">Download ${escape(name)}</a>${facts.length ? ` — ${escape(facts.join(', '))}` : ''}`,
    ]);
  }
  if (job.error && (job.status === 'error' || job.status === 'cancelled')) rows.push(['Error', escape(job.error)]);

  return `<dl class="video-convert-detail">${rows.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('')}</dl>`;
}
