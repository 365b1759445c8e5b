import { ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import { namesOf } from './names-of.js';
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

  it('answers from the container: what a container module binds is looked up and listed', async () => {
    const root = new Site('');
    const site1 = new Site('site1', root);
    await root.load(new ContainerModule(({ bind }) => root.bindNamed(Thing, 'from-module', 'module value', bind)));
    expect(site1.lookup(Thing, 'from-module')).toBe('module value');
    expect(root.container.get(Thing, { name: 'from-module' })).toBe('module value');
    expect(root.container.getAll(namesOf(Thing))).toEqual(['from-module']);
    expect(site1.visibleNames(Thing)).toEqual(['from-module']);
  });

  it('never answers from a stale cache: a binding anywhere in the tree is seen at once', () => {
    const root = new Site('');
    const site1 = new Site('site1', root);
    root.bindNamed(Thing, 'echo', 'root echo');
    expect(site1.lookup(Thing, 'echo')).toBe('root echo');
    site1.bindNamed(Thing, 'echo', 'site1 echo');
    expect(site1.lookup(Thing, 'echo')).toBe('site1 echo');
    site1.unbindNamed(Thing, 'echo');
    expect(site1.lookup(Thing, 'echo')).toBe('root echo');
    root.unbindNamed(Thing, 'echo');
    expect(site1.lookup(Thing, 'echo')).toBeUndefined();
    expect(site1.lookup(Thing, 'late')).toBeUndefined();
    root.bindNamed(Thing, 'late', 'late value');
    expect(site1.lookup(Thing, 'late')).toBe('late value');
    const Single = Symbol('Single');
    expect(site1.lookup(Single)).toBeUndefined();
    root.bindValue(Single, 'single');
    expect(site1.lookup(Single)).toBe('single');
  });

  it('lists what plugins contributed to a point, in order, from the container', () => {
    const Point = Symbol('Point');
    const root = new Site('');
    expect(root.contributions(Point).getContributions()).toEqual([]);
    root.bindValue(Point, 'a');
    root.bindValue(Point, 'b');
    expect(root.contributions(Point).getContributions()).toEqual(['a', 'b']);
  });
});
