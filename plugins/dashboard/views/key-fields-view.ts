import { MAX_KEY_LENGTH } from 'remotetask';
import { html, type SafeHtml } from 'remotetask/http';

/** The key fields of a job form, as typed (empty strings for the defaults). */
export interface KeyFormValues {
  key: string;
  keyScope: string;
  keyPeriod: string;
  onKeyTaken: string;
}

export type KeyFormErrors = Partial<Record<keyof KeyFormValues, string>>;

export const EMPTY_KEY_FORM: KeyFormValues = { key: '', keyScope: 'waiting', keyPeriod: '', onKeyTaken: 'keep' };

const SCOPES: [string, string][] = [
  ['waiting', 'while it waits to start (default)'],
  ['running', 'until it ends'],
  ['finished', 'until a period after it ended'],
];
const ON_TAKEN: [string, string][] = [
  ['keep', 'keep the job holding it, add nothing (default)'],
  ['replace', 'give the waiting job holding it this input and schedule'],
];

/** Key, how long it holds, its period and what a taken key does: a fieldset of the add forms. */
export function keyFields(values: KeyFormValues, errors: KeyFormErrors = {}): SafeHtml {
  const invalid = (name: keyof KeyFormValues) => (errors[name] ? html` aria-invalid="true" aria-describedby="${name}-error"` : '');
  const error = (name: keyof KeyFormValues) => errors[name] && html`<p class="field-error" id="${name}-error">${errors[name]}</p>`;
  const options = (choices: [string, string][], chosen: string) =>
    choices.map(([value, label]) => html`<option value="${value}"${value === chosen ? ' selected' : ''}>${label}</option>`);
  const field = (name: keyof KeyFormValues, control: SafeHtml) => html`<div class="field${errors[name] ? ' field--error' : ''}">${control}${error(name)}</div>`;
  return html`<fieldset class="key-fields"><legend>Unique key <span class="muted">(optional: one job per key in this service)</span></legend>
  ${field('key', html`<label for="key">Key <span class="muted">(empty for none; at most ${MAX_KEY_LENGTH} characters)</span></label>
    <input id="key" name="key" value="${values.key}" maxlength="${MAX_KEY_LENGTH}" autocomplete="off" spellcheck="false"${invalid('key')}>`)}
  ${field('keyScope', html`<label for="keyScope">The job holds its key</label>
    <select id="keyScope" name="keyScope"${invalid('keyScope')}>${options(SCOPES, values.keyScope)}</select>`)}
  ${field('keyPeriod', html`<label for="keyPeriod">Period <span class="muted">(seconds after it ended; with "until a period after it ended" only)</span></label>
    <input id="keyPeriod" name="keyPeriod" value="${values.keyPeriod}" inputmode="decimal" autocomplete="off"${invalid('keyPeriod')}>`)}
  ${field('onKeyTaken', html`<label for="onKeyTaken">When the key is taken</label>
    <select id="onKeyTaken" name="onKeyTaken"${invalid('onKeyTaken')}>${options(ON_TAKEN, values.onKeyTaken)}</select>`)}
</fieldset>`;
}
