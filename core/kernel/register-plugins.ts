import type { Logger } from 'winston';
import { ConfigError } from '../config/config-error.js';
import { CORE_CONFIG_KEYS, type RemotetaskConfig } from '../config/define-config.js';
import { keyPath } from '../config/schema-problems.js';
import { validatePluginOptions } from '../config/validate-plugin-options.js';
import { Site } from '../registry/site.js';
import type { Plugin } from './define-plugin.js';
import { PluginOptionsToken } from './kernel.js';
import { findPlugin, type LoadedPlugin, loadPlugins } from './load-plugins.js';
import { pluginModule } from './plugin-module.js';

export interface Registration {
  root: Site;
  /** Every site, the root first, then the config's order. */
  sites: Site[];
}

/**
 * The options of every plugin the config loads or gives a key to, checked against the plugin's
 * schema: a loaded plugin's from its key and its `[spec, options]` (the key wins); a key naming a
 * plugin that is not loaded is checked too (a worker may share the web server's config), and a key
 * naming no plugin is an unknown key. Throws a ConfigError with every problem.
 */
async function checkedPluginOptions(
  config: RemotetaskConfig,
  plugins: LoadedPlugin[],
  baseDir: string,
  configFile: string | undefined,
): Promise<Map<string, Record<string, unknown>>> {
  const problems: string[] = [];
  const checked = new Map<string, Record<string, unknown>>();
  const check = (plugin: Plugin, options: unknown, at: (string | number)[]) => {
    const found = validatePluginOptions(plugin.options, options, at);
    problems.push(...found);
    return found.length === 0;
  };
  for (const { plugin, options, index } of plugins) {
    const own = config[plugin.name];
    const fromKey = own === undefined || check(plugin, own, [plugin.name]);
    const fromSpec = options === undefined || check(plugin, options, ['plugins', index, 1]);
    if (fromKey && fromSpec) checked.set(plugin.name, { ...options, ...(own as object | undefined) });
  }
  const core: readonly string[] = CORE_CONFIG_KEYS;
  for (const key of Object.keys(config)) {
    if (core.includes(key) || plugins.some((entry) => entry.plugin.name === key)) continue;
    const plugin = await findPlugin(key, baseDir);
    if (!plugin) {
      problems.push(`${keyPath([key])}: unknown key "${key}" (known keys: ${core.join(', ')}, or the name of a plugin to configure)`);
    } else if (check(plugin, config[key], [key])) {
      checked.set(key, config[key] as Record<string, unknown>);
    }
  }
  if (problems.length > 0) throw new ConfigError(configFile, problems);
  return checked;
}

/**
 * The registration half of the boot: the root site and the config's sites, then every plugin the
 * config names — loaded, ordered by dependencies, its options checked — registered as its own
 * container module. Nothing is opened: the CLI uses this to find the plugins' commands.
 */
export async function registerPlugins(
  config: RemotetaskConfig,
  options: { baseDir: string; logger: Logger; configFile?: string },
): Promise<Registration> {
  const root = new Site('');
  const sites = [
    root,
    ...Object.keys(config.sites ?? {})
      .filter((name) => name !== '')
      .map((name) => new Site(name, root)),
  ];
  const plugins = await loadPlugins(config.plugins ?? [], options.baseDir);
  const pluginOptions = await checkedPluginOptions(config, plugins, options.baseDir, options.configFile);
  for (const [name, checked] of pluginOptions) root.bindNamed(PluginOptionsToken, name, checked);
  const scope = { root, sites, config, baseDir: options.baseDir, logger: options.logger, taskOwners: new Map<string, string>() };
  for (const { plugin } of plugins) {
    await root.load(pluginModule(plugin, pluginOptions.get(plugin.name) ?? {}, scope));
  }
  return { root, sites };
}
