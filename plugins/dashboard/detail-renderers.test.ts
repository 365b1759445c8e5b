import type { JobRecord } from 'remotetask';
import { describe, expect, it, vi } from 'vitest';
import { echoDetail } from '../echo/index.js';
import { defaultDetail, type DetailRenderer, DetailRendererRegistry, DetailRenderers, truncate } from './detail-renderers.js';
import { html } from 'remotetask/http';

function job(task: string, input: unknown): JobRecord {
  return {
    id: 1, service: '@S', task, input, status: 'queued', result: null, error: null, errorStack: null, attempts: 0, maxAttempts: 3,
    created: 0, started: null, completed: null, runAt: 0, schedule: null, progress: null, progressMessage: null, timeout: null, priority: 0, key: null,
    lockedBy: null, lockedUntil: null, cancelRequested: false, batchId: null,
  };
}

describe('the echo plugin\'s detail (the seed\'s echo_detail view)', () => {
  it('shows the input as key=value pairs', () => {
    expect(echoDetail.detail(job('echo', { foo: 'bar' }))).toBe('echo: foo=bar');
    expect(echoDetail.detail(job('echo', { foo: 'bar', n: 2, list: [1] }))).toBe('echo: foo=bar, n=2, list=[1]');
    expect(echoDetail.detail(job('echo', null))).toBe('echo:');
    expect(echoDetail.detail(job('echo', 'text'))).toBe('echo: "text"');
  });
});

describe('DetailRendererRegistry', () => {
  it('uses a task\'s renderer: text is escaped, html`` markup is kept', () => {
    const renderers = new DetailRendererRegistry([
      echoDetail,
      { task: 'mail', detail: (record) => html`to <b>${(record.input as { to: string }).to}</b>` },
    ]);
    expect(renderers.detail(job('echo', { a: '<b>' })).value).toBe('echo: a=&lt;b&gt;');
    expect(renderers.detail(job('mail', { to: '<x@y>' })).value).toBe('to <b>&lt;x@y&gt;</b>');
  });

  it('gives a task without a renderer its input as short JSON', () => {
    const renderers = new DetailRendererRegistry([]);
    expect(renderers.detail(job('thumbnail', { file: 'a.png', size: 64 })).value).toBe('{&quot;file&quot;:&quot;a.png&quot;,&quot;size&quot;:64}');
    expect(defaultDetail({ input: null })).toBe('');
    expect(defaultDetail({ input: { text: 'x'.repeat(200) } })).toHaveLength(80);
    expect(truncate('abcdef', 4)).toBe('abc…');
  });

  it('shows page() on the job page, detail() when there is none', () => {
    const renderers = new DetailRendererRegistry([{ task: 'a', detail: () => 'short', page: () => html`<p>long</p>` }, { task: 'b', detail: () => 'only' }]);
    expect(renderers.page(job('a', null)).value).toBe('<p>long</p>');
    expect(renderers.page(job('b', null)).value).toBe('only');
  });

  it('falls back to the default when a renderer throws, and reports it once per task', () => {
    const onError = vi.fn();
    const renderers = new DetailRendererRegistry([{ task: 'bad', detail: () => { throw new Error('boom'); } }], onError);
    expect(renderers.detail(job('bad', { x: 1 })).value).toBe('{&quot;x&quot;:1}');
    renderers.detail(job('bad', { x: 2 }));
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError).toHaveBeenCalledWith('bad', expect.objectContaining({ message: 'boom' }));
  });

  it('refuses two renderers for one task, and contributions that are no renderers', () => {
    const one: DetailRenderer = { task: 'echo', detail: () => '' };
    expect(() => new DetailRendererRegistry([one, one])).toThrow('two plugins contributed a detail renderer for task "echo"');
    expect(() => new DetailRendererRegistry([{ task: 'x' } as unknown as DetailRenderer])).toThrow('a detail renderer is');
  });

  it('is an extension point any plugin can name by its global symbol', () => {
    expect(DetailRenderers).toBe(Symbol.for('remotetask.dashboard.detailRenderers'));
  });
});
