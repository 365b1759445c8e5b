import { MAX_DELAY_SECONDS } from '../jobs/job-limits.js';
import type { KeyScope, OnKeyTaken } from '../store/job-store.js';

/** Key options that do not fit together or are out of range: nothing was added. */
export class KeyOptionsError extends RangeError {
  readonly code = 'invalid_key_options';

  constructor(message: string) {
    super(message);
    this.name = 'KeyOptionsError';
  }
}

/** The longest key of a job (characters). */
export const MAX_KEY_LENGTH = 255;
export const KEY_SCOPES: readonly KeyScope[] = ['waiting', 'running', 'finished'];
export const ON_KEY_TAKEN: readonly OnKeyTaken[] = ['keep', 'replace'];

/** How a job is made unique, as `add` and `addCronJob` take it. */
export interface KeyOptions {
  /** Unique within the service while the job holds it; a job added with a taken key is not added (see `onKeyTaken`). */
  key?: string;
  /** How long the key holds: `waiting` (default) until the job first starts, `running` until it ends, `finished` for `keyPeriod` seconds after. */
  keyScope?: KeyScope;
  /** With `keyScope: 'finished'`: seconds after the job ended that its key stays taken. */
  keyPeriod?: number;
  /** On a taken key: `keep` (default) answers the job holding it; `replace` gives it this input and schedule while it waits. */
  onKeyTaken?: OnKeyTaken;
}

export interface CheckedKey {
  key: string;
  keyScope: KeyScope;
  keyPeriodMs: number | null;
  onKeyTaken: OnKeyTaken;
}

/** The key options checked, or null for a job without a key; a KeyOptionsError says what was wrong. */
export function checkedKey(options: KeyOptions): CheckedKey | null {
  const { key, keyScope = 'waiting', keyPeriod, onKeyTaken = 'keep' } = options;
  if (key === undefined) {
    if (options.keyScope !== undefined || keyPeriod !== undefined || options.onKeyTaken !== undefined) {
      throw new KeyOptionsError('keyScope, keyPeriod and onKeyTaken go with a key: give key too');
    }
    return null;
  }
  if (typeof key !== 'string' || key.length < 1 || key.length > MAX_KEY_LENGTH) {
    throw new KeyOptionsError(`key must be a string of 1 to ${MAX_KEY_LENGTH} characters; got ${JSON.stringify(key)?.slice(0, 80)}`);
  }
  if (!KEY_SCOPES.includes(keyScope)) throw new KeyOptionsError(`keyScope must be one of ${KEY_SCOPES.join(', ')}; got ${JSON.stringify(keyScope)}`);
  if (!ON_KEY_TAKEN.includes(onKeyTaken)) throw new KeyOptionsError(`onKeyTaken must be keep or replace; got ${JSON.stringify(onKeyTaken)}`);
  if ((keyScope === 'finished') !== (keyPeriod !== undefined)) {
    throw new KeyOptionsError('keyPeriod (seconds after the job ended) goes with keyScope "finished", and only with it');
  }
  if (keyPeriod !== undefined && !(typeof keyPeriod === 'number' && keyPeriod > 0 && keyPeriod <= MAX_DELAY_SECONDS)) {
    throw new KeyOptionsError(`keyPeriod must be a positive number of seconds, at most ${MAX_DELAY_SECONDS} (100 years); got ${JSON.stringify(keyPeriod)}`);
  }
  return { key, keyScope, keyPeriodMs: keyPeriod === undefined ? null : Math.round(keyPeriod * 1000), onKeyTaken };
}
