import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type Role = 'manager' | 'viewer';

export interface Session {
  readonly id: string;
  /** The signed-in user; undefined before sign-in, and always when no users are configured. */
  user?: { name: string; role: Role };
  /** The CSRF token every form and action of this session must send back. */
  readonly csrfToken: string;
  /** A message for the next page (the seed's status messages): shown once. */
  flash?: { kind: 'ok' | 'error'; text: string };
  readonly created: number;
  lastSeen: number;
}

export interface SessionStoreOptions {
  /** Signs the cookie; random per process by default (sessions end with the process anyway). */
  secret?: string | Buffer;
  /** A session unused this long ends (ms); default 8 hours. */
  idleMs?: number;
  /** A session ends this long after sign-in at the latest (ms); default 24 hours. */
  maxAgeMs?: number;
  /** At most this many signed-in sessions are kept; the least recently used go first. Default 10 000. */
  maxSessions?: number;
  /**
   * At most this many sessions nobody signed in to (a sign-in page's, an open dashboard's). They
   * are counted apart, so that anyone able to load the sign-in page cannot push signed-in users
   * out. Default 10 000.
   */
  maxAnonymousSessions?: number;
  clock?: () => number;
}

const ID_BYTES = 32;

type SessionKind = 'signedIn' | 'anonymous';
const kindOf = (session: Session): SessionKind => (session.user ? 'signedIn' : 'anonymous');

/**
 * The dashboard's sessions, kept in memory: the cookie holds a random id and its HMAC, so a
 * cookie the server did not make is refused without a lookup, and signing out really ends the
 * session. Sessions end when the server restarts.
 */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #secret: Buffer;
  readonly #idleMs: number;
  readonly #maxAgeMs: number;
  readonly #maxSessions: number;
  readonly #maxAnonymous: number;
  readonly #clock: () => number;
  /** How many sessions of each kind there are (a session never changes kind: signing in makes a new one). */
  readonly #count = { signedIn: 0, anonymous: 0 };

  constructor(options: SessionStoreOptions = {}) {
    this.#secret = options.secret === undefined ? randomBytes(32) : Buffer.from(options.secret);
    this.#idleMs = options.idleMs ?? 8 * 60 * 60 * 1000;
    this.#maxAgeMs = options.maxAgeMs ?? 24 * 60 * 60 * 1000;
    this.#maxSessions = options.maxSessions ?? 10_000;
    this.#maxAnonymous = options.maxAnonymousSessions ?? 10_000;
    this.#clock = options.clock ?? Date.now;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** A new session with a fresh id and CSRF token. */
  create(user?: Session['user']): Session {
    const now = this.#clock();
    const session: Session = {
      id: randomBytes(ID_BYTES).toString('base64url'),
      user,
      csrfToken: randomBytes(ID_BYTES).toString('base64url'),
      created: now,
      lastSeen: now,
    };
    this.#sessions.set(session.id, session);
    this.#count[kindOf(session)]++;
    this.#evictOverflow(kindOf(session));
    return session;
  }

  /** The session a cookie value names, if it is signed by us, known and not expired. */
  fromCookie(value: string | undefined): Session | undefined {
    if (!value) return undefined;
    const dot = value.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const id = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = this.#sign(id);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    const now = this.#clock();
    if (now - session.lastSeen > this.#idleMs || now - session.created > this.#maxAgeMs) {
      this.destroy(session);
      return undefined;
    }
    session.lastSeen = now;
    // Map order is insertion order: re-inserting keeps the least recently used first.
    this.#sessions.delete(id);
    this.#sessions.set(id, session);
    return session;
  }

  /** The cookie value for a session: `<id>.<HMAC-SHA256 of the id>`. */
  cookieValue(session: Session): string {
    return `${session.id}.${this.#sign(session.id).toString('base64url')}`;
  }

  destroy(session: Session): void {
    if (this.#sessions.delete(session.id)) this.#count[kindOf(session)]--;
  }

  /** Whether `token` is the session's CSRF token (constant time). */
  checkCsrf(session: Session, token: unknown): boolean {
    if (typeof token !== 'string' || token === '') return false;
    const given = Buffer.from(token);
    const expected = Buffer.from(session.csrfToken);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  #sign(id: string): Buffer {
    return createHmac('sha256', this.#secret).update(id).digest();
  }

  /** Ends the least recently used sessions of a kind while there are too many of it. */
  #evictOverflow(kind: SessionKind): void {
    const limit = kind === 'signedIn' ? this.#maxSessions : this.#maxAnonymous;
    for (const session of this.#sessions.values()) {
      if (this.#count[kind] <= limit) break;
      if (kindOf(session) === kind) this.destroy(session);
    }
  }
}
