import { Container } from 'inversify';

/** The display name of the root site in log lines, as the seed says it. */
export const ROOT_SITE_DISPLAY_NAME = 'root';

/**
 * A Zope site: a named child container of the root. A (token, name) lookup that misses in the site
 * falls back to its parent. inversify hides every parent binding of a token once the child has any
 * named binding of it, so the fallback walks the chain itself; and since `getAll` skips named
 * bindings, the site keeps its own registry of names and their (constant) values, which also
 * spares every lookup a trip through the container: the web service looks up a service per request.
 */
export class Site {
  readonly container: Container;
  readonly #named = new Map<symbol, Map<string, unknown>>();

  constructor(
    /** `''` for the root site. */
    readonly name: string,
    readonly parent?: Site,
  ) {
    this.container = new Container({ parent: parent?.container, defaultScope: 'Singleton' });
  }

  get isRoot(): boolean {
    return this.parent === undefined;
  }

  /** `root` for the root site, as in the seed's log lines. */
  get displayName(): string {
    return this.isRoot ? ROOT_SITE_DISPLAY_NAME : this.name;
  }

  /** Binds a value under (token, name) in this site; a name is bound once per site. */
  bindNamed<T>(token: symbol, name: string, value: T): void {
    if (this.container.isCurrentBound(token, { name })) {
      throw new Error(`"${name}" is already registered in site ${this.displayName}`);
    }
    this.container.bind<T>(token).toConstantValue(value).whenNamed(name);
    let named = this.#named.get(token);
    if (!named) this.#named.set(token, (named = new Map()));
    named.set(name, value);
  }

  /** Removes the binding of (token, name) from this site; returns whether there was one. */
  unbindNamed(token: symbol, name: string): boolean {
    const named = this.#named.get(token);
    if (!named?.has(name)) return false;
    named.delete(name);
    // inversify unbinds per token: take them all, then bind back the other names.
    this.container.unbind(token);
    for (const [other, value] of named) this.container.bind(token).toConstantValue(value).whenNamed(other);
    return true;
  }

  /** The value bound under (token, name) in this site only. */
  lookupOwn<T>(token: symbol, name: string): T | undefined {
    const named = this.#named.get(token);
    if (named?.has(name)) return named.get(name) as T;
    // A binding made on the container directly rather than through bindNamed.
    return this.container.isCurrentBound(token, { name }) ? this.container.get<T>(token, { name }) : undefined;
  }

  /** The value bound under (token, name) here, else in the nearest ancestor that has it. */
  lookup<T>(token: symbol, name: string): T | undefined {
    for (let site: Site | undefined = this; site; site = site.parent) {
      const found = site.lookupOwn<T>(token, name);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** Names bound in this site only, sorted. */
  ownNames(token: symbol): string[] {
    return [...(this.#named.get(token)?.keys() ?? [])].sort();
  }

  /** Names visible from this site (its own and its ancestors'), sorted. */
  visibleNames(token: symbol): string[] {
    const names = new Set<string>();
    for (let site: Site | undefined = this; site; site = site.parent) {
      for (const name of site.ownNames(token)) names.add(name);
    }
    return [...names].sort();
  }
}
