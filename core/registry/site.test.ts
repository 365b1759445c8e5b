import { describe, expect, it } from 'vitest';
import { Site } from './site.js';

const Thing = Symbol('Thing');

describe('Site', () => {
  it('falls back to the root per (token, name), even when the site binds other names', () => {
    const root = new Site('');
    const site1 = new Site('site1', root);
    root.bindNamed(Thing, 'echo', 'root echo');
    root.bindNamed(Thing, 'counter', 'root counter');
    site1.bindNamed(Thing, 'echo', 'site1 echo');

    expect(site1.lookup(Thing, 'echo')).toBe('site1 echo');
    expect(site1.lookup(Thing, 'counter')).toBe('root counter');
    expect(root.lookup(Thing, 'echo')).toBe('root echo');
    expect(site1.lookup(Thing, 'missing')).toBeUndefined();
  });

  it('keeps its own names apart from what it can see', () => {
    const root = new Site('');
    const site1 = new Site('site1', root);
    root.bindNamed(Thing, 'b', 1);
    site1.bindNamed(Thing, 'a', 2);

    expect(site1.ownNames(Thing)).toEqual(['a']);
    expect(site1.visibleNames(Thing)).toEqual(['a', 'b']);
    expect(site1.lookupOwn(Thing, 'b')).toBeUndefined();
  });

  it('refuses to bind a name twice in one site', () => {
    const root = new Site('');
    root.bindNamed(Thing, 'echo', 1);
    expect(() => root.bindNamed(Thing, 'echo', 2)).toThrow('"echo" is already registered in site root');
  });

  it('unbinds one name and keeps the others', () => {
    const root = new Site('');
    root.bindNamed(Thing, 'a', 1);
    root.bindNamed(Thing, 'b', 2);
    expect(root.unbindNamed(Thing, 'a')).toBe(true);
    expect(root.unbindNamed(Thing, 'a')).toBe(false);
    expect(root.lookup(Thing, 'a')).toBeUndefined();
    expect(root.lookup(Thing, 'b')).toBe(2);
    expect(root.ownNames(Thing)).toEqual(['b']);
  });

  it('names the root site "root"', () => {
    expect(new Site('').displayName).toBe('root');
    expect(new Site('x', new Site('')).displayName).toBe('x');
  });
});
