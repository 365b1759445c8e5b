import { describe, expect, it } from 'vitest';
import { escapeHtml, html, isSafeHtml, SafeHtml, toSafeHtml, trustedHtml } from './html.js';

describe('html', () => {
  it('escapes every interpolated value', () => {
    const name = `<script>alert("x")</script> & 'y'`;
    expect(html`<td title="${name}">${name}</td>`.value).toBe(
      '<td title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</td>',
    );
  });

  it('keeps nested templates and trusted markup, joins arrays, drops null, undefined and false', () => {
    const items = ['a', '<b>'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}${trustedHtml('<hr>')}`.value).toBe('<ul><li>a</li><li>&lt;b&gt;</li></ul>0<hr>');
  });

  it('tells SafeHtml by its brand, so a copy of the class from another module graph counts too', () => {
    expect(isSafeHtml(html`x`)).toBe(true);
    expect(isSafeHtml({ value: '<b>' })).toBe(false);
    const foreign = { value: '<i>ok</i>', [Symbol.for('remotetask.dashboard.SafeHtml')]: true };
    expect(html`${foreign as unknown as SafeHtml}`.value).toBe('<i>ok</i>');
  });

  it('turns plain text into escaped markup and leaves markup alone', () => {
    expect(toSafeHtml('a < b').value).toBe('a &lt; b');
    expect(toSafeHtml(html`<b>${'x'}</b>`).value).toBe('<b>x</b>');
    expect(escapeHtml(`"'&<>`)).toBe('&quot;&#39;&amp;&lt;&gt;');
  });
});
