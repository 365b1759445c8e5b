import type { CronExpressionSchedule, FieldSchedule } from '../jobs/job.js';
import type { LogFormat } from '../log/create-logger.js';
import type { Token } from '../registry/token.js';
import type { StoreConfig } from '../store/store-config.js';
import type { ServiceOptions } from '../service/service-options.js';

export type { StoreConfig };

/**
 * The kernel fills this in by declaration merging (`{ context: PluginContext }`), so that the
 * config can type plugin objects without depending on the kernel that runs them.
 */
export interface PluginTypes {}

type RegisterContext = PluginTypes extends { context: infer Context } ? Context : never;

/** A plugin object as the config holds it (`definePlugin(…)` makes one; see the kernel's `Plugin`). */
export interface PluginObject {
  name: string;
  register(context: RegisterContext): unknown;
}

/** A built-in plugin's folder name, a path (relative to the config file) or a package name, with options. */
export type PluginSpec = string | PluginObject | [string | PluginObject, Record<string, unknown>];

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

/**
 * Plugins' own config keys, by plugin name (`http: { port }`): a plugin declares its key's type
 * here by declaration merging (`declare module 'remotetask' { interface PluginConfigs { … } }`).
 */
export interface PluginConfigs {}

export interface RemotetaskConfig extends PluginConfigs {
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
  /** Any other key holds the options of the plugin of that name, checked by that plugin at boot. */
  [pluginName: string]: unknown;
}

/** The kernel's (validated) config: a root singleton. */
export const ConfigToken: Token<RemotetaskConfig> = Symbol.for('remotetask.Config');

/** The keys of the config that core reads itself; any other key belongs to the plugin of that name. */
export const CORE_CONFIG_KEYS = ['store', 'plugins', 'sites', 'autostart', 'defaults', 'log'] as const;

/** Types a config file: `export default defineConfig({ … })`. */
export function defineConfig(config: RemotetaskConfig): RemotetaskConfig {
  return config;
}

/** Types a site definition for `sites/`: `export default defineSite({ services: { … } })`. */
export function defineSite(site: SiteConfig): SiteConfig {
  return site;
}
