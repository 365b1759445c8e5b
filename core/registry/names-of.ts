import type { BindingIdentifier, ContainerModuleLoadOptions } from 'inversify';

/** inversify's `bind`, of a container or of a container module being loaded. */
export type Bind = ContainerModuleLoadOptions['bind'];

const namesTokens = new Map<symbol, symbol>();

/**
 * The token under which a container lists the names it binds `token` under, one unnamed binding
 * per name: `getAll(token)` skips named bindings, so the names are kept in the container too.
 */
export function namesOf(token: symbol): symbol {
  let names = namesTokens.get(token);
  if (!names) namesTokens.set(token, (names = Symbol(`names of ${token.description ?? 'a token'}`)));
  return names;
}

/** Binds `value` under (token, name) and the name under `namesOf(token)`; returns both bindings. */
export function bindNamedValue(bind: Bind, token: symbol, name: string, value: unknown): BindingIdentifier[] {
  return [
    bind(token).toConstantValue(value).whenNamed(name).getIdentifier(),
    bind(namesOf(token)).toConstantValue(name).getIdentifier(),
  ];
}
