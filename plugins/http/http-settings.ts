import type { HttpOptions } from './http-options.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface HttpSettings {
  host: string;
  port: number;
  bodyLimit: number;
  /** Host names (lowercase, no port) answered besides loopback ones; empty: any with users, loopback only without. */
  allowedHosts: string[];
  /** Origins (lowercase `scheme://host[:port]`) whose pages may send state-changing requests. */
  allowedOrigins: string[];
  trustProxy: boolean | string | string[];
}

/** The http plugin's options with the defaults filled in. */
export function resolveHttpSettings(config: HttpOptions = {}): HttpSettings {
  return {
    host: config.host ?? DEFAULT_HOST,
    port: config.port ?? DEFAULT_PORT,
    bodyLimit: config.bodyLimit ?? DEFAULT_BODY_LIMIT,
    allowedHosts: (config.allowedHosts ?? []).map((host) => host.toLowerCase()),
    allowedOrigins: (config.allowedOrigins ?? []).map((origin) => origin.toLowerCase().replace(/\/$/, '')),
    trustProxy: config.trustProxy ?? false,
  };
}
