import type { Kernel, PluginOptionsSpec } from 'remotetask';

/**
 * Who may use the web service. `manager` may do everything; `viewer` may only read; `agent` may
 * only use the agent protocol (routes of access `agent`), within its `scopes`.
 */
export type HttpRole = 'manager' | 'viewer' | 'agent';

/** What an `agent` user may serve: services by address and tasks by name; absent: any. */
export interface HttpUserScopes {
  services?: string[];
  tasks?: string[];
}

/**
 * One user of the web service: a password (an scrypt hash from `remotetask hash-password`, or read
 * from an environment variable at start) for HTTP Basic, and/or a bearer token (a `sha256$…` hash
 * from `remotetask hash-password --token`, or an environment variable).
 */
export interface HttpUserConfig {
  role: HttpRole;
  passwordHash?: string;
  passwordEnv?: string;
  tokenHash?: string;
  tokenEnv?: string;
  /** For role `agent`: the services and tasks it may serve. */
  scopes?: HttpUserScopes;
}

/** The http plugin's options: the config's `http` key (or `['http', { … }]` in `plugins`). */
export interface HttpOptions {
  /** Default 127.0.0.1. A host other than loopback needs `users`. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** The largest request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Users by name. Without users the server is open, and listens on loopback only. */
  users?: Record<string, HttpUserConfig>;
  /** Host names the server answers besides loopback ones (DNS rebinding); when given, only these and loopback. */
  allowedHosts?: string[];
  /** Origins (`https://app.example`) whose pages may send state-changing requests; others are refused. */
  allowedOrigins?: string[];
  /** Believe X-Forwarded-* from a proxy: true, or the proxy's addresses (fastify's trustProxy). */
  trustProxy?: boolean | string | string[];
}

/** @deprecated the name before the http plugin owned its options: use HttpOptions. */
export type HttpConfig = HttpOptions;

declare module 'remotetask' {
  interface PluginConfigs {
    /** The web service (the http plugin's options). */
    http?: HttpOptions;
  }
}

const variableName = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' };

export const httpOptionsSpec: PluginOptionsSpec<HttpOptions> = {
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      host: { type: 'string', minLength: 1 },
      port: { type: 'integer', minimum: 0, maximum: 65535 },
      bodyLimit: { type: 'integer', minimum: 1 },
      allowedHosts: { type: 'array', items: { type: 'string', minLength: 1 } },
      allowedOrigins: { type: 'array', items: { type: 'string', pattern: '^https?://[^/]+$' } },
      trustProxy: { type: ['boolean', 'string', 'array'], items: { type: 'string' } },
      users: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          required: ['role'],
          additionalProperties: false,
          properties: {
            role: { enum: ['manager', 'viewer', 'agent'] },
            passwordHash: { type: 'string', pattern: '^scrypt\\$' },
            passwordEnv: variableName,
            tokenHash: { type: 'string', pattern: '^(scrypt|sha256)\\$' },
            tokenEnv: variableName,
            scopes: {
              type: 'object',
              additionalProperties: false,
              properties: {
                services: { type: 'array', items: { type: 'string', minLength: 1 } },
                tasks: { type: 'array', items: { type: 'string', minLength: 1 } },
              },
            },
          },
        },
      },
    },
  },
  check(options, key) {
    const problems: string[] = [];
    for (const [user, { passwordHash, passwordEnv, tokenHash, tokenEnv, role, scopes }] of Object.entries(options.users ?? {})) {
      const at = key('users', user);
      if (!/^[^:\s]+$/.test(user)) problems.push(`${at}: a user name may not be empty or hold ":" or spaces (HTTP Basic cannot send them)`);
      if (passwordHash === undefined && passwordEnv === undefined && tokenHash === undefined && tokenEnv === undefined) {
        problems.push(`${at} needs passwordHash, passwordEnv, tokenHash or tokenEnv`);
      }
      if (passwordHash !== undefined && passwordEnv !== undefined) problems.push(`${at}: give passwordHash or passwordEnv, not both`);
      if (tokenHash !== undefined && tokenEnv !== undefined) problems.push(`${at}: give tokenHash or tokenEnv, not both`);
      if (scopes && role !== 'agent') problems.push(`${at}.scopes: only a user of role agent has scopes`);
    }
    return problems;
  },
};

/** The http plugin's checked options for this kernel (its `http` key), `{}` when it has none. */
export function httpOptionsOf(kernel: Kernel): HttpOptions {
  return kernel.optionsOf<HttpOptions>('http') ?? {};
}
