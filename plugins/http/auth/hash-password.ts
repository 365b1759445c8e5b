import { randomBytes, scrypt, type ScryptOptions } from 'node:crypto';

/** scrypt's cost parameters; kept in the hash string so they can grow without breaking old hashes. */
export interface ScryptParameters {
  N: number;
  r: number;
  p: number;
}

/**
 * N = 2^17: 128 MiB and a few hundred milliseconds per check — expensive to guess offline. Requests
 * do not pay it each time: verified credentials are remembered for a while (VerifiedCredentials).
 */
export const DEFAULT_SCRYPT_PARAMETERS: ScryptParameters = { N: 131_072, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Each running check holds 128·N·r bytes: two at once bound the memory a flood of sign-ins takes. */
const MAX_CONCURRENT = 2;

let running = 0;
const waiting: Array<() => void> = [];

async function inTurn<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await work();
  } finally {
    // The slot passes straight to the next in line, if any.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/** The memory one check needs (128·N·r bytes), with room to spare: Node's default limit is 32 MiB. */
export function scryptMemory(parameters: ScryptParameters): number {
  return 128 * parameters.N * parameters.r + 16 * 1024 * 1024;
}

export function scryptAsync(secret: string, salt: Buffer, keyLength: number, parameters: ScryptParameters): Promise<Buffer> {
  const options: ScryptOptions = { ...parameters, maxmem: scryptMemory(parameters) };
  return inTurn(
    () =>
      new Promise((resolve, reject) => {
        scrypt(secret, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
      }),
  );
}

/**
 * Hashes a password for `http.users.<name>.passwordHash`:
 * `scrypt$N=131072,r=8,p=1$<salt, base64url>$<key, base64url>`, with a fresh random salt.
 */
export async function hashPassword(password: string, parameters: ScryptParameters = DEFAULT_SCRYPT_PARAMETERS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password, salt, KEY_BYTES, parameters);
  const { N, r, p } = parameters;
  return `scrypt$N=${N},r=${r},p=${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}
