import { describe, expect, it } from 'vitest';
import { formatBytes, type RenderableJob, renderVideoConvertDetail, renderVideoConvertSummary } from './render-detail.js';

const ID = 'AbCdEfGhIjKlMnOpQrStUv';
const job = (extra: Partial<RenderableJob> = {}): RenderableJob => ({
  status: 'queued',
  input: { file: ID, to: 'mp4' },
  result: null,
  progress: null,
  progressMessage: null,
  error: null,
  ...extra,
});

describe('renderVideoConvertDetail', () => {
  it('a queued job: source, target, no progress yet, no link', () => {
    expect(renderVideoConvertDetail(job())).toBe(
      '<dl class="video-convert-detail">' +
        `<dt>Source</dt><dd>uploaded file <code>${ID}</code></dd>` +
        '<dt>Target</dt><dd>MP4 (H.264/AAC)</dd>' +
        '<dt>Progress</dt><dd><progress max="1" value="0.000">0%</progress> 0% — queued</dd>' +
        '</dl>',
    );
  });

  it('a running job shows its progress and message; options are listed', () => {
    const out = renderVideoConvertDetail(
      job({
        status: 'processing',
        input: { path: 'holiday/clip.avi', to: 'webm', width: 640, videoBitrate: '800k', start: 5, duration: 10 },
        progress: 0.425,
        progressMessage: 'converting to WebM (VP9/Opus): 4.2 of 10.0 s',
      }),
    );
    expect(out).toContain('<dd><code>holiday/clip.avi</code> in the media directory</dd>');
    expect(out).toContain('<dd>WebM (VP9/Opus): 640 × auto, video 800k, from 5 s, for 10 s</dd>');
    expect(out).toContain('<progress max="1" value="0.425">42%</progress> 42% — converting to WebM (VP9/Opus): 4.2 of 10.0 s');
    expect(out).not.toContain('Download');
  });

  it('a completed job links to its download', () => {
    const out = renderVideoConvertDetail(
      job({
        status: 'completed',
        progress: 1,
        result: {
          id: ID, name: 'clip.mp4', url: `/api/files/${ID}`, size: 1_234_567, duration: 3, width: 320, height: 240,
          videoCodec: 'h264', audioCodec: 'aac', source: { name: 'clip.avi' },
        },
      }),
    );
    expect(out).toContain(`uploaded file <code>${ID}</code> (clip.avi)`);
    expect(out).toContain('100% — done');
    expect(out).toContain(`<dt>Result</dt><dd><a href="/api/files/${ID}" download="clip.mp4">Download clip.mp4</a> — 1.2 MB, 3.0 s, 320 × 240, h264/aac</dd>`);
  });

  it('escapes everything that comes from the job, and links only to /api/files/<id>', () => {
    const out = renderVideoConvertDetail(
      job({
        status: 'completed',
        input: { path: '<script>alert(1)</script>', to: '"><img src=x onerror=alert(1)>' },
        result: { id: 'javascript:alert(1)', name: '"><script>', url: 'javascript:alert(1)', source: { name: '<b>' } },
      }),
    );
    expect(out).not.toMatch(/<script|<img|<b>|javascript:/);
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out).not.toContain('Download');
    const failed = renderVideoConvertDetail(job({ status: 'error', progress: 0.3, error: 'ffmpeg said <bad> & "worse"' }));
    expect(failed).toContain('<dt>Error</dt><dd>ffmpeg said &lt;bad&gt; &amp; &quot;worse&quot;</dd>');
    expect(failed).toContain('error at 30%');
  });

  it('survives input and results of any shape', () => {
    for (const input of [null, 42, 'text', [], { to: 5 }]) {
      expect(renderVideoConvertDetail(job({ input, result: 'odd' }))).toMatch(/^<dl class="video-convert-detail">.*<\/dl>$/);
      expect(typeof renderVideoConvertSummary(job({ input }))).toBe('string');
    }
  });
});

describe('renderVideoConvertSummary', () => {
  it('one line of plain text', () => {
    expect(renderVideoConvertSummary(job())).toBe(`upload ${ID} → mp4`);
    expect(renderVideoConvertSummary(job({ status: 'processing', progress: 0.5, input: { path: 'a.avi', to: 'gif' } }))).toBe('a.avi → gif, 50%');
    expect(renderVideoConvertSummary(job({ status: 'completed', result: { size: 2_500_000, source: { name: 'clip.avi' } } }))).toBe('clip.avi → mp4, 2.5 MB');
  });

  it('formatBytes', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.0 kB');
    expect(formatBytes(15_300_000)).toBe('15 MB');
    expect(formatBytes(2e12)).toBe('2.0 TB');
  });
});
