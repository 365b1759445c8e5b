import { createHmac, randomBytes } from 'node:crypto';

interface Verified<T> {
  value: T;
  expires: number;
}

/**
 * Credentials that passed their slow check recently, so that HTTP Basic (credentials on every
 * request) pays scrypt once per `ttlMs`, not per request. Keys are an HMAC of the user name and
 * secret under a key made per process: the cache never holds a password, nor a hash that could be
 * attacked offline. A failed check for a user drops that user's entries.
 */
export class VerifiedCredentials<T> {
  readonly #key = randomBytes(32);
  /** Per user name, the digests verified and what they stand for. */
  readonly #byName = new Map<string, Map<string, Verified<T>>>();
  #size = 0;

  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 1_000,
    private readonly clock: () => number = Date.now,
  ) {}

  get(name: string, secret: string): T | undefined {
    const entries = this.#byName.get(name);
    if (!entries) return undefined;
    const digest = this.#digest(name, secret);
    const found = entries.get(digest);
    if (!found) return undefined;
    if (found.expires > this.clock()) return found.value;
    entries.delete(digest);
    this.#size--;
    if (entries.size === 0) this.#byName.delete(name);
    return undefined;
  }

  set(name: string, secret: string, value: T): void {
    // Full: start over rather than track ages. Entries are cheap to make again (one scrypt each).
    if (this.#size >= this.maxEntries) this.clear();
    let entries = this.#byName.get(name);
    if (!entries) this.#byName.set(name, (entries = new Map()));
    const digest = this.#digest(name, secret);
    if (!entries.has(digest)) this.#size++;
    entries.set(digest, { value, expires: this.clock() + this.ttlMs });
  }

  /** Forgets every credential of this user name. */
  forget(name: string): void {
    this.#size -= this.#byName.get(name)?.size ?? 0;
    this.#byName.delete(name);
  }

  clear(): void {
    this.#byName.clear();
    this.#size = 0;
  }

  #digest(name: string, secret: string): string {
    return createHmac('sha256', this.#key).update(name).update('\0').update(secret).digest('base64url');
  }
}
