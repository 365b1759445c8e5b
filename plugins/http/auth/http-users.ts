import type { HttpOptions, HttpUserScopes } from '../http-options.js';
import { FailureLimiter, type FailureLimiterOptions } from './failure-limiter.js';
import { DEFAULT_SCRYPT_PARAMETERS, hashPassword, type ScryptParameters } from './hash-password.js';
import { hashToken } from './hash-token.js';
import type { Credentials } from './parse-authorization.js';
import {
  type HttpRole,
  readUserEntries,
  referenceParameters,
  sameParameters,
  scryptParametersOf,
  type SecretCheck,
  type UserEntry,
} from './user-entries.js';
import { VerifiedCredentials } from './verified-credentials.js';
import { secretsEqual, verifyPassword } from './verify-password.js';

export type { HttpRole, HttpUserConfig } from './user-entries.js';

export interface AuthenticatedUser {
  name: string;
  role: HttpRole;
  /** An agent's scopes (absent: it may serve any service and task). */
  scopes?: HttpUserScopes;
}

/** How a sign-in went: the user, too many failures (wait this many seconds), or wrong credentials. */
export type Authentication = { user: AuthenticatedUser } | { retryAfter: number } | { failed: true };

export interface HttpUsersOptions {
  /** Failed sign-ins per client address; default 10 in a row, then one every 6 s. */
  perClient?: FailureLimiterOptions;
  /** Failed sign-ins per user name (known or not), from any client; default as per client. */
  perUser?: FailureLimiterOptions;
  /** How long a verified password or token is taken without its slow check again (ms); default 60 s. */
  verifiedTtlMs?: number;
  /** Checks a secret against a hash (default `verifyPassword`): tests count the work with it. */
  verify?: (secret: string, hash: string) => Promise<boolean>;
  /** The cost of new hashes, when no configured password hash is stronger (default N = 2^17). */
  parameters?: ScryptParameters;
}

const DEFAULT_LIMIT: FailureLimiterOptions = { burst: 10, refillMs: 6_000 };
const describe = ({ N, r, p }: ScryptParameters) => `N=${N},r=${r},p=${p}`;

/**
 * The users of `http.users`, ready to check credentials. Built once at start: a hash that cannot be
 * read or an environment variable that is not set stops the server there, not at the first login.
 *
 * Every failed password check costs one scrypt at the same parameters (the reference): a wrong
 * password, a password from the environment (hashed in memory at first use), an unknown user name,
 * a hash that fails to compute. Checks that passed are remembered for a short while, and failures
 * are limited per client and per user name.
 */
export class HttpUsers {
  readonly #byName = new Map<string, UserEntry>();
  readonly #reference: ScryptParameters;
  readonly #verify: (secret: string, hash: string) => Promise<boolean>;
  /** In-memory hashes of environment passwords, and of a decoy for the rest: made at first use. */
  readonly #madeHashes = new Map<string, Promise<string>>();
  #decoy?: Promise<string>;
  readonly #passwords: VerifiedCredentials<AuthenticatedUser>;
  readonly #tokens: VerifiedCredentials<AuthenticatedUser>;
  readonly #perClient: FailureLimiter;
  readonly #perUser: FailureLimiter;
  /** What the operator should know about the configured users (weak hashes), for the start-up log. */
  readonly warnings: string[] = [];

  private constructor(entries: UserEntry[], options: HttpUsersOptions) {
    for (const entry of entries) this.#byName.set(entry.name, entry);
    const current = options.parameters ?? DEFAULT_SCRYPT_PARAMETERS;
    this.#reference = referenceParameters(entries, current);
    this.#verify = options.verify ?? verifyPassword;
    this.#passwords = new VerifiedCredentials(options.verifiedTtlMs);
    this.#tokens = new VerifiedCredentials(options.verifiedTtlMs);
    this.#perClient = new FailureLimiter(options.perClient ?? DEFAULT_LIMIT);
    this.#perUser = new FailureLimiter(options.perUser ?? options.perClient ?? DEFAULT_LIMIT);
    for (const entry of entries) {
      const parameters = scryptParametersOf(entry.password);
      if (!parameters || sameParameters(parameters, this.#reference)) continue;
      this.warnings.push(
        `http.users.${entry.name}.passwordHash uses scrypt ${describe(parameters)}, cheaper than ${describe(this.#reference)}: ` +
          `it still works, but a wrong password for ${entry.name} costs more than it should; make a new hash with \`remotetask hash-password\``,
      );
    }
  }

  static fromConfig(users: HttpOptions['users'] = {}, env: NodeJS.ProcessEnv = process.env, options: HttpUsersOptions = {}): HttpUsers {
    return new HttpUsers(readUserEntries(users, env), options);
  }

  get size(): number {
    return this.#byName.size;
  }

  /** The parameters every password check costs. */
  get reference(): ScryptParameters {
    return this.#reference;
  }

  /**
   * Checks credentials from `client` (its address), within the limits on failures: a client or a
   * user name with too many recent failures is refused before any check.
   */
  async authenticate(client: string, credentials: Credentials): Promise<Authentication> {
    const name = credentials.kind === 'basic' ? credentials.username : undefined;
    const retryAfter = Math.max(this.#perClient.retryAfter(client), name === undefined ? 0 : this.#perUser.retryAfter(name));
    if (retryAfter > 0) return { retryAfter };
    const user = credentials.kind === 'basic' ? await this.checkPassword(credentials.username, credentials.password) : await this.checkToken(credentials.token);
    if (user) return { user };
    this.#perClient.failed(client);
    if (name !== undefined) this.#perUser.failed(name);
    return { failed: true };
  }

  /** The user whose name and password these are (HTTP Basic), or undefined. No limits: see `authenticate`. */
  async checkPassword(name: string, password: string): Promise<AuthenticatedUser | undefined> {
    const entry = this.#byName.get(name);
    const remembered = entry && this.#passwords.get(name, password);
    if (remembered) return remembered;
    let matches = false;
    let paid = false;
    if (entry?.password) {
      const hash = await this.#hashOf(entry.password, name);
      try {
        matches = await this.#verify(password, hash);
        paid = hash.startsWith('scrypt$') && sameParameters(scryptParametersOf({ hash })!, this.#reference);
      } catch {
        // A hash that cannot be computed (memory): a failure like any other, at the same cost.
      }
    }
    if (!paid) await this.#verify(password, await (this.#decoy ??= hashPassword('decoy', this.#reference))).catch(() => false);
    if (!matches || !entry) {
      this.#passwords.forget(name);
      return undefined;
    }
    const user = authenticated(entry);
    this.#passwords.set(name, password, user);
    return user;
  }

  /** The user holding this bearer token, or undefined. Every user's token is checked, so timing says nothing about which. */
  async checkToken(token: string): Promise<AuthenticatedUser | undefined> {
    const remembered = this.#tokens.get('', token);
    if (remembered) return remembered;
    let found: UserEntry | undefined;
    const hashed = hashToken(token);
    for (const entry of this.#byName.values()) {
      if (!entry.token) continue;
      const expected = entry.token;
      const matches =
        'plain' in expected
          ? secretsEqual(token, expected.plain)
          : expected.hash.startsWith('sha256$')
            ? secretsEqual(hashed, expected.hash)
            : await this.#verify(token, expected.hash).catch(() => false);
      if (matches && !found) found = entry;
    }
    if (!found) return undefined;
    const user = authenticated(found);
    this.#tokens.set('', token, user);
    return user;
  }

  /** A configured hash, or one made at the reference cost for a plain secret (kept for the process's life). */
  #hashOf(check: SecretCheck, name: string): Promise<string> {
    if ('hash' in check) return Promise.resolve(check.hash);
    let made = this.#madeHashes.get(name);
    if (!made) this.#madeHashes.set(name, (made = hashPassword(check.plain, this.#reference)));
    return made;
  }
}

function authenticated(entry: UserEntry): AuthenticatedUser {
  return entry.scopes ? { name: entry.name, role: entry.role, scopes: entry.scopes } : { name: entry.name, role: entry.role };
}
