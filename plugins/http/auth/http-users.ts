import type { HttpOptions, HttpRole, HttpUserConfig, HttpUserScopes } from '../http-options.js';
import { DEFAULT_SCRYPT_PARAMETERS, hashPassword } from './hash-password.js';
import { hashToken } from './hash-token.js';
import { parseScryptHash } from './parse-scrypt-hash.js';
import { secretsEqual, verifyPassword } from './verify-password.js';

export type { HttpRole, HttpUserConfig };

export interface AuthenticatedUser {
  name: string;
  role: HttpRole;
  /** An agent's scopes (absent: it may serve any service and task). */
  scopes?: HttpUserScopes;
}

/** How one user's secret is checked: against a hash, or against a value read from the environment. */
type SecretCheck = { hash: string } | { plain: string };

interface UserEntry {
  name: string;
  role: HttpRole;
  scopes?: HttpUserScopes;
  password?: SecretCheck;
  token?: SecretCheck;
}

function check(secret: string, expected: SecretCheck): Promise<boolean> {
  return 'hash' in expected ? verifyPassword(secret, expected.hash) : Promise.resolve(secretsEqual(secret, expected.plain));
}

/**
 * The users of `http.users`, ready to check credentials. Built once at start: a hash that cannot be
 * read or an environment variable that is not set stops the server there, not at the first login.
 */
export class HttpUsers {
  readonly #byName = new Map<string, UserEntry>();
  /** Checked for unknown user names, so a wrong name costs as much time as a wrong password. */
  readonly #decoy: Promise<string>;

  private constructor(entries: UserEntry[]) {
    for (const entry of entries) this.#byName.set(entry.name, entry);
    this.#decoy = entries.some((entry) => entry.password) ? hashPassword('decoy', DEFAULT_SCRYPT_PARAMETERS) : Promise.resolve('sha256$00');
  }

  static fromConfig(users: HttpOptions['users'] = {}, env: NodeJS.ProcessEnv = process.env): HttpUsers {
    const entries = Object.entries(users).map(([name, user]): UserEntry => {
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
    return new HttpUsers(entries);
  }

  get size(): number {
    return this.#byName.size;
  }

  /** The user whose name and password these are (HTTP Basic), or undefined. */
  async checkPassword(name: string, password: string): Promise<AuthenticatedUser | undefined> {
    const entry = this.#byName.get(name);
    if (!entry?.password) {
      await verifyPassword(password, await this.#decoy).catch(() => false);
      return undefined;
    }
    return (await check(password, entry.password)) ? authenticated(entry) : undefined;
  }

  /** The user holding this bearer token, or undefined. Every user's token is checked, so timing says nothing about which. */
  async checkToken(token: string): Promise<AuthenticatedUser | undefined> {
    let found: UserEntry | undefined;
    const hashed = hashToken(token);
    for (const entry of this.#byName.values()) {
      if (!entry.token) continue;
      const matches =
        'hash' in entry.token && entry.token.hash.startsWith('sha256$')
          ? secretsEqual(hashed, entry.token.hash)
          : await check(token, entry.token);
      if (matches && !found) found = entry;
    }
    return found && authenticated(found);
  }
}

function authenticated(entry: UserEntry): AuthenticatedUser {
  return entry.scopes ? { name: entry.name, role: entry.role, scopes: entry.scopes } : { name: entry.name, role: entry.role };
}
