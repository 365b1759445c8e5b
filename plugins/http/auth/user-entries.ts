import type { HttpOptions, HttpRole, HttpUserConfig, HttpUserScopes } from '../http-options.js';
import type { ScryptParameters } from './hash-password.js';
import { parseScryptHash } from './parse-scrypt-hash.js';

export type { HttpRole, HttpUserConfig };

/** How one user's secret is checked: against a hash, or against a value read from the environment. */
export type SecretCheck = { hash: string } | { plain: string };

export interface UserEntry {
  name: string;
  role: HttpRole;
  scopes?: HttpUserScopes;
  password?: SecretCheck;
  token?: SecretCheck;
}

/**
 * The users of `http.users`, read and checked: a hash that cannot be read or an environment
 * variable that is not set throws here, naming the key, so the server stops at start.
 */
export function readUserEntries(users: HttpOptions['users'] = {}, env: NodeJS.ProcessEnv): UserEntry[] {
  return Object.entries(users).map(([name, user]): UserEntry => {
    const where = `http.users.${name}`;
    const fromEnv = (variable: string, key: string): SecretCheck => {
      const value = env[variable];
      if (!value) throw new Error(`${where}.${key} names the environment variable ${variable}, which is not set`);
      return { plain: value };
    };
    const fromHash = (hash: string, key: string): SecretCheck => {
      if (hash.startsWith('scrypt$')) {
        try {
          parseScryptHash(hash);
        } catch (error) {
          throw new Error(`${where}.${key}: ${(error as Error).message}`);
        }
      } else if (!/^sha256\$[0-9a-f]{64}$/.test(hash)) {
        throw new Error(`${where}.${key} must be a sha256$<64 hex digits> or scrypt$… hash: make one with \`remotetask hash-password --token\``);
      }
      return { hash };
    };
    return {
      name,
      role: user.role,
      scopes: user.scopes,
      password: user.passwordHash ? fromHash(user.passwordHash, 'passwordHash') : user.passwordEnv ? fromEnv(user.passwordEnv, 'passwordEnv') : undefined,
      token: user.tokenHash ? fromHash(user.tokenHash, 'tokenHash') : user.tokenEnv ? fromEnv(user.tokenEnv, 'tokenEnv') : undefined,
    };
  });
}

const cost = ({ N, r, p }: ScryptParameters) => N * r * p;

/** The scrypt parameters of a password hash, or undefined for any other kind of secret. */
export function scryptParametersOf(check: SecretCheck | undefined): ScryptParameters | undefined {
  return check && 'hash' in check && check.hash.startsWith('scrypt$') ? parseScryptHash(check.hash).parameters : undefined;
}

/**
 * What a password check costs: the strongest of the configured password hashes, else the default
 * for new hashes. Passwords from the environment and unknown user names are checked at this cost
 * too, so that no failure answers sooner than another.
 */
export function referenceParameters(entries: readonly UserEntry[], fallback: ScryptParameters): ScryptParameters {
  let strongest: ScryptParameters | undefined;
  for (const entry of entries) {
    const parameters = scryptParametersOf(entry.password);
    if (parameters && (!strongest || cost(parameters) > cost(strongest))) strongest = parameters;
  }
  return strongest ?? fallback;
}

export function sameParameters(a: ScryptParameters, b: ScryptParameters): boolean {
  return a.N === b.N && a.r === b.r && a.p === b.p;
}
