import type { ScryptParameters } from './hash-password.js';

export interface ParsedScryptHash {
  parameters: ScryptParameters;
  salt: Buffer;
  key: Buffer;
}

/** Reads `scrypt$N=…,r=…,p=…$salt$key`; throws an Error saying what is wrong with it. */
export function parseScryptHash(hash: string): ParsedScryptHash {
  const parts = hash.split('$');
  if (parts.length !== 4 || parts[0] !== 'scrypt') {
    throw new Error('an scrypt hash reads scrypt$N=…,r=…,p=…$<salt>$<key>: make one with `remotetask hash-password`');
  }
  const fields = Object.fromEntries(parts[1].split(',').map((field) => field.split('=') as [string, string]));
  const [N, r, p] = ['N', 'r', 'p'].map((name) => Number(fields[name]));
  if (![N, r, p].every((value) => Number.isInteger(value) && value > 0) || (N & (N - 1)) !== 0 || N < 2) {
    throw new Error(`the scrypt parameters "${parts[1]}" are not valid: N must be a power of two, r and p positive whole numbers`);
  }
  // A check holds 128·N·r bytes: a hash beyond 1 GiB would stall every sign-in, or fail each one.
  if (128 * N * r > 2 ** 30 || p > 16) {
    throw new Error(`the scrypt parameters "${parts[1]}" cost too much (128·N·r must be at most 1 GiB, p at most 16): make a new hash with \`remotetask hash-password\``);
  }
  const salt = Buffer.from(parts[2], 'base64url');
  const key = Buffer.from(parts[3], 'base64url');
  if (salt.length < 8 || key.length < 16) throw new Error('the scrypt hash is too short: its salt or key was cut off');
  return { parameters: { N, r, p }, salt, key };
}
