import { type BindingIdentifier, Container, type ContainerModule } from 'inversify';
import { type ContributionProvider, contributionProvider } from './contribution-provider.js';
import { type Bind, bindNamedValue, namesOf } from './names-of.js';
import type { Token } from './token.js';

/** The display name of the root site in log lines, as the seed says it. */
export const ROOT_SITE_DISPLAY_NAME = 'root';

/**
 * A Zope site: a named child container of the root, and the one registry of what is bound in it.
 * A (token, name) lookup that misses in the site falls back to its parent; inversify hides every
 * parent binding of a token once the child has any named binding of it, so the fallback walks the
 * chain itself. Names are listed from the container (see `namesOf`).
 *
 * The web service looks up a service per request, so answers are cached — derived from the
 * container and dropped whenever anything in the site tree is bound or unbound through a Site
 * (bind through it, or load container modules with `load`, not on `container` directly).
 */
export class Site {
  readonly container: Container;
  /** Shared by the whole tree: any change anywhere drops every site's cached answers. */
  readonly #tree: { version: number };
  #cachedAt = -1;
  readonly #own = new Map<symbol, Map<string | undefined, unknown>>();
  readonly #visible = new Map<symbol, Map<string | undefined, unknown>>();
  /** The bindings `bindNamed` made, so that one name can be unbound alone. */
  readonly #identifiers = new Map<symbol, Map<string, BindingIdentifier[]>>();

  constructor(
    /** `''` for the root site. */
    readonly name: string,
    readonly parent?: Site,
  ) {
    this.container = new Container({ parent: parent?.container, defaultScope: 'Singleton' });
    this.#tree = parent ? parent.#tree : { version: 0 };
  }

  get isRoot(): boolean {
    return this.parent === undefined;
  }

  /** `root` for the root site, as in the seed's log lines. */
  get displayName(): string {
    return this.isRoot ? ROOT_SITE_DISPLAY_NAME : this.name;
  }

  /**
   * Binds a value under (token, name) in this site; a name is bound once per site. `bind` is the
   * container's own, or that of a container module being loaded into it.
   */
  bindNamed<T>(token: Token<T> | symbol, name: string, value: T, bind: Bind = (id) => this.container.bind(id)): void {
    if (this.container.isCurrentBound(token, { name })) {
      throw new Error(`"${name}" is already registered in site ${this.displayName}`);
    }
    let byName = this.#identifiers.get(token);
    if (!byName) this.#identifiers.set(token, (byName = new Map()));
    byName.set(name, bindNamedValue(bind, token, name, value));
    this.#changed();
  }

  /** Binds a single value under `token` in this site (a root singleton, in the root). */
  bindValue<T>(token: Token<T> | symbol, value: T, bind: Bind = (id) => this.container.bind(id)): void {
    bind(token).toConstantValue(value);
    this.#changed();
  }

  /** Removes the binding of (token, name) from this site; returns whether there was one. */
  unbindNamed(token: symbol, name: string): boolean {
    const identifiers = this.#identifiers.get(token)?.get(name);
    if (!identifiers || !this.container.isCurrentBound(token, { name })) return false;
    for (const identifier of identifiers) this.container.unbind(identifier);
    this.#identifiers.get(token)!.delete(name);
    this.#changed();
    return true;
  }

  /** Loads container modules (a plugin's bindings) into this site. */
  async load(...modules: ContainerModule[]): Promise<void> {
    try {
      await this.container.loadAsync(...modules);
    } finally {
      this.#changed();
    }
  }

  /** The value bound under (token, name) — or under `token` alone — in this site only. */
  lookupOwn<T>(token: Token<T> | symbol, name?: string): T | undefined {
    return this.#cached(this.#own, token, name, () => this.#find<T>(token, name));
  }

  /** The value bound under (token, name) here, else in the nearest ancestor that has it. */
  lookup<T>(token: Token<T> | symbol, name?: string): T | undefined {
    return this.#cached(this.#visible, token, name, () => {
      for (let site: Site | undefined = this; site; site = site.parent) {
        const found = site.#find<T>(token, name);
        if (found !== undefined) return found;
      }
      return undefined;
    });
  }

  /** Names bound in this site only, in the order they were bound. */
  names(token: symbol): string[] {
    const names = namesOf(token);
    // Only asked of a container that binds names itself: asking a child that has none would
    // answer with its parent's names.
    if (!this.container.isCurrentBound(names)) return [];
    return [...new Set(this.container.getAll<string>(names))];
  }

  /** Names bound in this site only, sorted. */
  ownNames(token: symbol): string[] {
    return this.names(token).sort();
  }

  /** Names visible from this site (its own and its ancestors'), sorted. */
  visibleNames(token: symbol): string[] {
    const names = new Set<string>();
    for (let site: Site | undefined = this; site; site = site.parent) {
      for (const name of site.names(token)) names.add(name);
    }
    return [...names].sort();
  }

  /** What plugins contributed to an extension point in this site's container, in registration order. */
  contributions<T>(point: Token<T> | symbol): ContributionProvider<T> {
    return contributionProvider<T>(this.container, point as Token<T>);
  }

  #find<T>(token: symbol, name: string | undefined): T | undefined {
    const options = name === undefined ? undefined : { name };
    return this.container.isCurrentBound(token, options) ? this.container.get<T>(token, options) : undefined;
  }

  #cached<T>(cache: Map<symbol, Map<string | undefined, unknown>>, token: symbol, name: string | undefined, find: () => T | undefined): T | undefined {
    if (this.#cachedAt !== this.#tree.version) {
      this.#own.clear();
      this.#visible.clear();
      this.#cachedAt = this.#tree.version;
    }
    let byName = cache.get(token);
    if (!byName) cache.set(token, (byName = new Map()));
    if (byName.has(name)) return byName.get(name) as T;
    const found = find();
    // Misses are not kept: names asked for at random (over HTTP) must not grow the cache.
    if (found !== undefined) byName.set(name, found);
    return found;
  }

  #changed(): void {
    this.#tree.version++;
  }
}
