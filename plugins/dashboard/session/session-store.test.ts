import { describe, expect, it } from 'vitest';
import { parseCookies, serializeCookie } from './cookies.js';
import { SessionStore } from './session-store.js';

describe('SessionStore', () => {
  it('finds a session by its signed cookie, and only by one it signed', () => {
    const store = new SessionStore({ secret: 'test' });
    const session = store.create({ name: 'ada', role: 'manager' });
    const cookie = store.cookieValue(session);
    expect(cookie).toMatch(/^[\w-]{43}\.[\w-]{43}$/);
    expect(store.fromCookie(cookie)).toBe(session);
    const [id, signature] = cookie.split('.');
    expect(store.fromCookie(`${id}.${signature.slice(0, -2)}xx`)).toBeUndefined();
    expect(store.fromCookie(id)).toBeUndefined();
    expect(store.fromCookie(undefined)).toBeUndefined();
    expect(new SessionStore({ secret: 'other' }).fromCookie(cookie)).toBeUndefined();
  });

  it('ends a session on sign-out, after idling and at its maximum age', () => {
    let now = 0;
    const store = new SessionStore({ secret: 's', idleMs: 1000, maxAgeMs: 5000, clock: () => now });
    const destroyed = store.create();
    store.destroy(destroyed);
    expect(store.fromCookie(store.cookieValue(destroyed))).toBeUndefined();

    const idle = store.create();
    now = 1001;
    expect(store.fromCookie(store.cookieValue(idle))).toBeUndefined();

    const busy = store.create();
    for (now = 1500; now <= 6000; now += 900) expect(store.fromCookie(store.cookieValue(busy))).toBe(busy);
    now = 6600;
    expect(store.fromCookie(store.cookieValue(busy))).toBeUndefined();
  });

  it('checks the CSRF token in constant time and keeps at most maxSessions, the least recently used going first', () => {
    const store = new SessionStore({ maxSessions: 2, maxAnonymousSessions: 2 });
    const a = store.create();
    expect(store.checkCsrf(a, a.csrfToken)).toBe(true);
    expect(store.checkCsrf(a, `${a.csrfToken}x`)).toBe(false);
    expect(store.checkCsrf(a, '')).toBe(false);
    expect(store.checkCsrf(a, undefined)).toBe(false);
    const b = store.create();
    store.fromCookie(store.cookieValue(a));   // a is used again: b is now the oldest
    store.create();
    expect(store.size).toBe(2);
    expect(store.fromCookie(store.cookieValue(b))).toBeUndefined();
    expect(store.fromCookie(store.cookieValue(a))).toBe(a);
  });

  it('never lets sessions nobody signed in to push out signed-in ones', () => {
    const store = new SessionStore({ maxSessions: 2, maxAnonymousSessions: 3 });
    const ada = store.create({ name: 'ada', role: 'manager' });
    for (let n = 0; n < 100; n++) store.create();
    expect(store.fromCookie(store.cookieValue(ada))).toBe(ada);
    expect(store.size).toBe(4);
    store.create({ name: 'vic', role: 'viewer' });
    store.create({ name: 'bob', role: 'viewer' });
    expect(store.fromCookie(store.cookieValue(ada))).toBeUndefined();
  });
});

describe('cookies', () => {
  it('parses a Cookie header and writes a Set-Cookie value', () => {
    expect(parseCookies('a=1; remotetask_session=x.y; b="q%20r"; a=2')).toEqual(new Map([['a', '1'], ['remotetask_session', 'x.y'], ['b', 'q r']]));
    expect(parseCookies(undefined).size).toBe(0);
    expect(serializeCookie('s', 'v')).toBe('s=v; Path=/; HttpOnly; SameSite=Lax');
    expect(serializeCookie('s', '', { maxAge: 0, secure: true })).toBe('s=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure');
  });
});
