import { KEY_SCOPES, MAX_DELAY_SECONDS, MAX_KEY_LENGTH, type KeyOptions } from 'remotetask';
import type { KeyFormErrors, KeyFormValues } from '../views/key-fields-view.js';

/**
 * The key fields of a job form as `add` options, or each field's problem. An empty key means no
 * key: the scope and the taken rule are then the form's defaults and ignored, a period is refused.
 */
export function checkKeyForm(values: KeyFormValues): { options: KeyOptions; errors: KeyFormErrors } {
  const errors: KeyFormErrors = {};
  const keyScope = values.keyScope || 'waiting';
  const onKeyTaken = values.onKeyTaken || 'keep';
  if (!(KEY_SCOPES as readonly string[]).includes(keyScope)) errors.keyScope = `Choose how long the job holds its key: ${KEY_SCOPES.join(', ')}.`;
  if (onKeyTaken !== 'keep' && onKeyTaken !== 'replace') errors.onKeyTaken = 'Choose keep or replace for a taken key.';
  if (values.key === '') {
    if (values.keyPeriod !== '') errors.keyPeriod = 'A period goes with a key: type the key too, or clear the period.';
    return { options: {}, errors };
  }
  if (values.key.length > MAX_KEY_LENGTH) errors.key = `A key has at most ${MAX_KEY_LENGTH} characters; this one has ${values.key.length}.`;
  let keyPeriod: number | undefined;
  if (keyScope === 'finished') {
    keyPeriod = Number(values.keyPeriod);
    if (values.keyPeriod === '' || !Number.isFinite(keyPeriod) || keyPeriod <= 0 || keyPeriod > MAX_DELAY_SECONDS) {
      errors.keyPeriod = `With "until a period after it ended", give the period: seconds above 0, at most ${MAX_DELAY_SECONDS}; "${values.keyPeriod}" is not.`;
    }
  } else if (values.keyPeriod !== '') {
    errors.keyPeriod = 'A period goes with "until a period after it ended" only: clear it, or choose that.';
  }
  return { options: { key: values.key, keyScope: keyScope as KeyOptions['keyScope'], keyPeriod, onKeyTaken: onKeyTaken as KeyOptions['onKeyTaken'] }, errors };
}
