import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PluginSpec } from '../config/define-config.js';
import { isPlugin, type Plugin } from './define-plugin.js';
import { importModule } from '../loader/import-module.js';

export interface LoadedPlugin {
  plugin: Plugin;
  /** The options given with it in `plugins` (`[spec, options]`), if any. */
  options?: Record<string, unknown>;
  /** Its place in the config's `plugins`. */
  index: number;
  /** Where it came from, for error messages. */
  source: string;
}

/** `plugins/` of this package, from source (core/kernel) or from dist (dist/core/kernel). */
const BUILT_IN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'plugins');

function builtInEntry(name: string): string | undefined {
  if (!/^[\w-]+$/.test(name)) return undefined;
  return ['index.js', 'index.ts'].map((file) => join(BUILT_IN_DIR, name, file)).find((path) => existsSync(path));
}

async function loadSpec(spec: string, baseDir: string): Promise<{ plugin: unknown; source: string }> {
  const isPath = spec.startsWith('.') || isAbsolute(spec);
  if (isPath) {
    const path = resolve(baseDir, spec);
    if (!existsSync(path)) throw new Error(`plugin file ${path} does not exist (named as "${spec}" in the config)`);
    return { plugin: (await importModule(path)).default, source: path };
  }
  const builtIn = builtInEntry(spec);
  if (builtIn) return { plugin: (await importModule(builtIn)).default, source: `built-in plugin "${spec}"` };
  let resolved: string;
  try {
    resolved = createRequire(join(baseDir, 'package.json')).resolve(spec);
  } catch {
    throw new Error(
      `plugin "${spec}" not found: it is not a built-in plugin, not a path (start paths with ./), and no installed package of that name can be found from ${baseDir}`,
    );
  }
  return { plugin: (await importModule(resolved)).default, source: `package "${spec}"` };
}

/**
 * Loads the plugins the config names and orders them so that every plugin comes after the
 * plugins it depends on. A missing dependency, a cycle or a module that is no plugin is an error
 * that says which plugin and what to do.
 */
export async function loadPlugins(specs: PluginSpec[], baseDir: string): Promise<LoadedPlugin[]> {
  const loaded: LoadedPlugin[] = [];
  for (const [index, spec] of specs.entries()) {
    const [target, options] = Array.isArray(spec) ? spec : [spec, undefined];
    const { plugin, source } =
      typeof target === 'string' ? await loadSpec(target, baseDir) : { plugin: target as unknown, source: 'the config' };
    if (!isPlugin(plugin)) {
      throw new Error(`${source} does not export a plugin: its default export must be definePlugin({ name, register })`);
    }
    if (loaded.some((other) => other.plugin.name === plugin.name)) {
      throw new Error(`plugin "${plugin.name}" is named twice in the config's plugins`);
    }
    loaded.push({ plugin, options, source, index });
  }
  return orderByDependencies(loaded);
}

/**
 * The plugin a config key names (a built-in plugin or an installed package of that name), loaded
 * to check the options the key holds; undefined when no plugin has that name.
 */
export async function findPlugin(name: string, baseDir: string): Promise<Plugin | undefined> {
  if (!/^(@[\w.-]+\/)?[\w.-]+$/.test(name)) return undefined;
  const found = await loadSpec(name, baseDir).catch((error: Error) => {
    if (error.message.startsWith(`plugin "${name}" not found`)) return undefined;
    throw error;
  });
  return isPlugin(found?.plugin) ? found.plugin : undefined;
}

function orderByDependencies(plugins: LoadedPlugin[]): LoadedPlugin[] {
  const byName = new Map(plugins.map((entry) => [entry.plugin.name, entry]));
  const ordered: LoadedPlugin[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (entry: LoadedPlugin, path: string[]) => {
    const name = entry.plugin.name;
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      throw new Error(`plugins depend on each other in a cycle: ${[...path, name].join(' → ')}`);
    }
    state.set(name, 'visiting');
    for (const dependency of entry.plugin.dependencies ?? []) {
      const needed = byName.get(dependency);
      if (!needed) {
        throw new Error(
          `plugin "${name}" depends on plugin "${dependency}", which is not loaded: add "${dependency}" to the config's plugins`,
        );
      }
      visit(needed, [...path, name]);
    }
    state.set(name, 'done');
    ordered.push(entry);
  };
  for (const entry of plugins) visit(entry, []);
  return ordered;
}
