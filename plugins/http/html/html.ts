/**
 * Markup that is safe to put in a page as it is: made by {@link html} (which escapes every value
 * it is given) or, for markup a plugin has sanitized itself, by {@link trustedHtml}.
 */
const SAFE_HTML = Symbol.for('remotetask.dashboard.SafeHtml');

export class SafeHtml {
  readonly [SAFE_HTML] = true;

  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

/**
 * Whether a value is SafeHtml, by its brand rather than `instanceof`: a plugin loaded through
 * another module graph (tsx's loader) has its own copy of this class.
 */
export function isSafeHtml(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SAFE_HTML] === true && typeof (value as SafeHtml).value === 'string';
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML: `&`, `<`, `>`, `"` and `'` escaped, so it is safe in element content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]);
}

/** Markup to insert without escaping. Only for markup that is known to be safe. */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** What a template may interpolate: arrays are joined, null, undefined and false vanish. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (isSafeHtml(value)) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * The dashboard's templates: `html\`<td>${job.task}</td>\``. Every interpolated value is escaped
 * unless it is itself {@link SafeHtml}; arrays of values are joined, `null`, `undefined` and
 * `false` render as nothing (so `${cond && html\`…\`}` works).
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0];
  for (let index = 0; index < values.length; index++) out += render(values[index]) + strings[index + 1];
  return new SafeHtml(out);
}

/** A plain string is text (escaped); SafeHtml stays as it is. */
export function toSafeHtml(value: string | SafeHtml): SafeHtml {
  return isSafeHtml(value) ? value : new SafeHtml(escapeHtml(String(value)));
}
