import { createHash, randomBytes } from 'node:crypto';

/**
 * Hashes a bearer token for `http.users.<name>.tokenHash`: `sha256$<hex>`. Tokens are long random
 * strings, not guessable passwords, so a fast hash is enough and lets a request be checked against
 * every user's token without a slow hash per user.
 */
export function hashToken(token: string): string {
  return `sha256$${createHash('sha256').update(token, 'utf8').digest('hex')}`;
}

/** A new random bearer token: 32 bytes, base64url. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}
