import type { CronExpressionSchedule, FieldSchedule } from '../jobs/job.js';
import type { Plugin } from '../kernel/define-plugin.js';
import type { LogFormat } from '../log/create-logger.js';
import type { ServiceOptions } from '../service/service-options.js';

export type StoreConfig =
  | { kind: 'sqlite'; path: string }
  | { kind: 'memory' }
  | { kind: 'postgres'; url: string; schema?: string; poolSize?: number };

/** A built-in plugin's folder name, a path (relative to the config file) or a package name, with options. */
export type PluginSpec = string | Plugin | [string | Plugin, Record<string, unknown>];

/** A cron job declared in the config: added once at boot, known by its task and input. */
export type DeclaredCronJob = { task: string; input?: unknown } & (FieldSchedule | CronExpressionSchedule);

/** A service's settings; any left out come from `defaults`, then the built-in defaults. */
export type ServiceConfig = Partial<Omit<ServiceOptions, 'backoff'>> & {
  backoff?: Partial<ServiceOptions['backoff']>;
  cron?: DeclaredCronJob[];
};

export interface SiteConfig {
  services?: Record<string, ServiceConfig>;
}

/** Who may use the web service. `manager` may do everything; `viewer` may only read. */
export type HttpRole = 'manager' | 'viewer';

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
}

export interface HttpConfig {
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

export interface RemotetaskConfig {
  /** Where jobs live. Default: SQLite at `./data/remotetask.db` (next to the config file). */
  store?: StoreConfig;
  plugins?: PluginSpec[];
  /** Sites by name; `''` is the root site. */
  sites?: Record<string, SiteConfig>;
  /** Services to start at boot: `site@Service`, `@Service` (root), `site@*`, `*@*`, `*@Service`. */
  autostart?: string[];
  /** Settings every service starts from. */
  defaults?: ServiceConfig;
  log?: { level?: string; format?: LogFormat };
  http?: HttpConfig;
}

/** Types a config file: `export default defineConfig({ … })`. */
export function defineConfig(config: RemotetaskConfig): RemotetaskConfig {
  return config;
}

/** Types a site definition for `sites/`: `export default defineSite({ services: { … } })`. */
export function defineSite(site: SiteConfig): SiteConfig {
  return site;
}
