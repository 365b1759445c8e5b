import { createHash, timingSafeEqual } from 'node:crypto';
import { scryptAsync } from './hash-password.js';
import { parseScryptHash } from './parse-scrypt-hash.js';

/** Compares two secrets in constant time, whatever their lengths (digests have equal lengths). */
export function secretsEqual(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Checks a password (or token) against a stored hash: `scrypt$…` (from `remotetask hash-password`)
 * or `sha256$<hex>` (from `remotetask hash-password --token`). Comparison is constant-time.
 */
export async function verifyPassword(secret: string, hash: string): Promise<boolean> {
  if (hash.startsWith('sha256$')) {
    const expected = Buffer.from(hash.slice('sha256$'.length), 'hex');
    const actual = createHash('sha256').update(secret, 'utf8').digest();
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
  const { parameters, salt, key } = parseScryptHash(hash);
  const actual = await scryptAsync(secret, salt, key.length, parameters);
  return timingSafeEqual(actual, key);
}
