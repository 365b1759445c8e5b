import { isLoopbackHost } from '../is-loopback-host.js';

/** The host name of a Host header, lowercase, without port or trailing dot: `[::1]:8080` → `[::1]`. */
export function hostNameOf(host: string): string {
  const lower = host.trim().toLowerCase();
  const name = lower.startsWith('[') ? lower.slice(0, lower.indexOf(']') + 1 || undefined) : lower.replace(/:\d*$/, '');
  return name.replace(/\.$/, '');
}

export interface HostRules {
  /** Names answered besides loopback ones. */
  allowedHosts: string[];
  usersConfigured: boolean;
}

/**
 * Why a request's Host is not answered, or undefined. Without users anyone who reaches the server
 * may do anything, so a page of another site must not reach it by rebinding its own name to
 * 127.0.0.1: only loopback names (and the configured ones) are answered. With users, any name is,
 * unless `allowedHosts` is given.
 */
export function hostProblem(host: string | undefined, { allowedHosts, usersConfigured }: HostRules): string | undefined {
  const name = host === undefined ? '' : hostNameOf(host);
  if (isLoopbackHost(name) || allowedHosts.includes(name)) return undefined;
  if (usersConfigured && allowedHosts.length === 0) return undefined;
  const allowed = ['localhost', '127.0.0.1', '[::1]', ...allowedHosts].join(', ');
  return name === ''
    ? `the request names no host; this server answers ${allowed}`
    : `this server does not answer for the host "${name}" (it answers ${allowed}; add the name to http.allowedHosts if it is this server's)`;
}
