import type { Kernel, Token } from 'remotetask';
import { httpOptionsOf } from '../http-options.js';
import { HttpUsers } from './http-users.js';

/** Where the http plugin keeps the users of its options: provided at registration, filled at first use. */
export interface HttpUsersSlot {
  users?: HttpUsers;
}

export const HttpUsersToken: Token<HttpUsersSlot> = Symbol.for('remotetask.http.users');

/**
 * The users of a kernel's `http.users`, one instance per kernel that loaded the http plugin: the
 * API and the dashboard's sign-in share its memory of verified credentials and its limits on
 * failures, so switching between them gains an attacker nothing. Without the plugin (a test
 * building the app by hand), a new instance.
 */
export function httpUsersOf(kernel: Kernel): HttpUsers {
  const slot = kernel.lookup(HttpUsersToken);
  const make = () => HttpUsers.fromConfig(httpOptionsOf(kernel).users);
  if (!slot) return make();
  return (slot.users ??= make());
}
