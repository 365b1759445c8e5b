import { randomBytes, scrypt, type ScryptOptions } from 'node:crypto';

/** scrypt's cost parameters; kept in the hash string so they can grow without breaking old hashes. */
export interface ScryptParameters {
  N: number;
  r: number;
  p: number;
}

/** ~16 MiB and a few tens of milliseconds per check: expensive to guess, cheap enough per request. */
export const DEFAULT_SCRYPT_PARAMETERS: ScryptParameters = { N: 16_384, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;

export function scryptAsync(secret: string, salt: Buffer, keyLength: number, parameters: ScryptParameters): Promise<Buffer> {
  const options: ScryptOptions = { ...parameters, maxmem: 256 * parameters.N * parameters.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/**
 * Hashes a password for `http.users.<name>.passwordHash`:
 * `scrypt$N=16384,r=8,p=1$<salt, base64url>$<key, base64url>`, with a fresh random salt.
 */
export async function hashPassword(password: string, parameters: ScryptParameters = DEFAULT_SCRYPT_PARAMETERS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password, salt, KEY_BYTES, parameters);
  const { N, r, p } = parameters;
  return `scrypt$N=${N},r=${r},p=${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}
