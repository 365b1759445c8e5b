import type { Kernel } from 'remotetask';
import { HttpUsers } from './http-users.js';

/** Where the users of `http.users` are kept in the kernel's root container. */
const HttpUsersToken = Symbol.for('remotetask.http.users');

/**
 * The users of a kernel's `http.users`, one instance per kernel: the API and the dashboard's
 * sign-in share its memory of verified credentials and its limits on failures, so switching
 * between them gains an attacker nothing.
 */
export function httpUsersOf(kernel: Kernel): HttpUsers {
  const container = kernel.root.container;
  if (!container.isBound(HttpUsersToken)) {
    container.bind(HttpUsersToken).toConstantValue(HttpUsers.fromConfig(kernel.config.http?.users));
  }
  return container.get<HttpUsers>(HttpUsersToken);
}
