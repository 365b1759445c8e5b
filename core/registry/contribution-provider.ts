import type { Container } from 'inversify';
import type { Token } from './token.js';

/**
 * What plugins contributed to an extension point (HTTP routes, detail renderers, CLI commands, …),
 * in the order they registered: the point's multi-binding in the container, as Theia's
 * `ContributionProvider`. Read when asked, so it always says what the container holds.
 */
export interface ContributionProvider<T> {
  getContributions(): T[];
}

export function contributionProvider<T>(container: Container, point: Token<T>): ContributionProvider<T> {
  return { getContributions: () => container.getAll<T>(point, { optional: true }) };
}
