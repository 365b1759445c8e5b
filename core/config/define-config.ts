import type { Plugin } from '../kernel/define-plugin.js';
import type { LogFormat } from '../log/create-logger.js';
import type { ServiceOptions } from '../service/service-options.js';

export type StoreConfig =
  | { kind: 'sqlite'; path: string }
  | { kind: 'memory' }
  | { kind: 'postgres'; url: string; schema?: string; poolSize?: number };

/** A built-in plugin's folder name, a path (relative to the config file) or a package name, with options. */
export type PluginSpec = string | Plugin | [string | Plugin, Record<string, unknown>];

/** A service's settings; any left out come from `defaults`, then the built-in defaults. */
export type ServiceConfig = Partial<Omit<ServiceOptions, 'backoff'>> & { backoff?: Partial<ServiceOptions['backoff']> };

export interface SiteConfig {
  services?: Record<string, ServiceConfig>;
}

export interface HttpConfig {
  host?: string;
  port?: number;
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
