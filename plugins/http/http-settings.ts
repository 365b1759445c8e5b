import type { HttpOptions } from './http-options.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface HttpSettings {
  host: string;
  port: number;
  bodyLimit: number;
}

/** The http plugin's options with the defaults filled in. */
export function resolveHttpSettings(config: HttpOptions = {}): HttpSettings {
  return {
    host: config.host ?? DEFAULT_HOST,
    port: config.port ?? DEFAULT_PORT,
    bodyLimit: config.bodyLimit ?? DEFAULT_BODY_LIMIT,
  };
}
