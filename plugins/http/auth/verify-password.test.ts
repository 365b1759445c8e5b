import { describe, expect, it } from 'vitest';
import { hashPassword } from './hash-password.js';
import { generateToken, hashToken } from './hash-token.js';
import { parseScryptHash } from './parse-scrypt-hash.js';
import { secretsEqual, verifyPassword } from './verify-password.js';

const FAST = { N: 1024, r: 8, p: 1 };

describe('password hashes', () => {
  it('keeps scrypt\'s parameters and a fresh salt in the hash', async () => {
    const first = await hashPassword('secret', FAST);
    const second = await hashPassword('secret', FAST);
    expect(first).toMatch(/^scrypt\$N=1024,r=8,p=1\$[\w-]+\$[\w-]+$/);
    expect(first).not.toBe(second);
    expect(parseScryptHash(first).parameters).toEqual(FAST);
    expect(parseScryptHash(first).salt).toHaveLength(16);
  });

  it('verifies the right password only', async () => {
    const hash = await hashPassword('pässword ✓', FAST);
    expect(await verifyPassword('pässword ✓', hash)).toBe(true);
    expect(await verifyPassword('password ✓', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('verifies with the parameters the hash names, so stronger settings later do not break old hashes', async () => {
    const strong = await hashPassword('secret', { N: 2048, r: 8, p: 2 });
    expect(await verifyPassword('secret', strong)).toBe(true);
  });

  it('says what is wrong with a hash it cannot read', () => {
    expect(() => parseScryptHash('scrypt$abc')).toThrow(/make one with `remotetask hash-password`/);
    expect(() => parseScryptHash('scrypt$N=1000,r=8,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5')).toThrow(/N must be a power of two/);
    expect(() => parseScryptHash('scrypt$N=1024,r=8,p=1$c2E$a2V5')).toThrow(/too short/);
  });
});

describe('token hashes', () => {
  it('hashes tokens with sha256 and verifies them', async () => {
    const token = generateToken();
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(generateToken()).not.toBe(token);
    const hash = hashToken(token);
    expect(hash).toMatch(/^sha256\$[0-9a-f]{64}$/);
    expect(await verifyPassword(token, hash)).toBe(true);
    expect(await verifyPassword(`${token}x`, hash)).toBe(false);
    expect(await verifyPassword(token, 'sha256$abcd')).toBe(false);
  });

  it('compares plain secrets of any lengths without throwing', () => {
    expect(secretsEqual('abc', 'abc')).toBe(true);
    expect(secretsEqual('abc', 'abcd')).toBe(false);
    expect(secretsEqual('', 'x')).toBe(false);
  });
});
