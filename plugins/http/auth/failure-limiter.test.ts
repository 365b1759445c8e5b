import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './failure-limiter.js';
import { VerifiedCredentials } from './verified-credentials.js';

describe('FailureLimiter', () => {
  it('allows a burst of failures, then one per refill period, and says how long to wait', () => {
    let now = 0;
    const limiter = new FailureLimiter({ burst: 3, refillMs: 10_000, clock: () => now });
    for (let n = 0; n < 3; n++) {
      expect(limiter.retryAfter('a')).toBe(0);
      limiter.failed('a');
    }
    expect(limiter.retryAfter('a')).toBe(10);
    expect(limiter.retryAfter('b')).toBe(0);
    now = 4_000;
    expect(limiter.retryAfter('a')).toBe(6);
    now = 10_000;
    expect(limiter.retryAfter('a')).toBe(0);
    limiter.failed('a');
    expect(limiter.retryAfter('a')).toBe(10);
  });

  it('remembers a bounded number of keys, dropping refilled ones first, then the oldest', () => {
    let now = 0;
    const limiter = new FailureLimiter({ burst: 1, refillMs: 1_000, maxKeys: 100, clock: () => now });
    limiter.failed('old');
    now = 2_000;
    for (let n = 0; n < 100; n++) limiter.failed(`k${n}`);
    // 'old' had refilled: forgetting it lost nothing. The newest keys are still held back.
    expect(limiter.retryAfter('old')).toBe(0);
    expect(limiter.retryAfter('k99')).toBe(1);
    for (let n = 100; n < 10_000; n++) limiter.failed(`k${n}`);
    expect(limiter.retryAfter('k9999')).toBe(1);
    expect(limiter.retryAfter('k0')).toBe(0);
  });
});

describe('VerifiedCredentials', () => {
  it('remembers a verified secret for its time to live, per user, and forgets a user\'s on demand', () => {
    let now = 0;
    const cache = new VerifiedCredentials<string>(1_000, 10, () => now);
    cache.set('alice', 'secret', 'ok');
    expect(cache.get('alice', 'secret')).toBe('ok');
    expect(cache.get('alice', 'other')).toBeUndefined();
    expect(cache.get('bob', 'secret')).toBeUndefined();
    now = 1_000;
    expect(cache.get('alice', 'secret')).toBeUndefined();
    cache.set('alice', 'secret', 'ok');
    cache.forget('alice');
    expect(cache.get('alice', 'secret')).toBeUndefined();
  });

  it('holds at most its bound', () => {
    const cache = new VerifiedCredentials<number>(60_000, 10);
    for (let n = 0; n < 25; n++) cache.set(`u${n}`, 'pw', n);
    expect(cache.get('u24', 'pw')).toBe(24);
    expect(cache.get('u0', 'pw')).toBeUndefined();
  });
});
