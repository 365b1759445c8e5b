import type { Logger } from 'winston';
import type { RemotetaskConfig } from '../config/define-config.js';
import type { RunIn, Task } from '../tasks/task.js';
import type { Kernel } from './kernel.js';

/** What a plugin's `register` gets: a small typed way to bind into the kernel. */
export interface PluginContext {
  /** The plugin's own name. */
  readonly name: string;
  /** The options given with the plugin in the config (`['name', { … }]`), or `{}`. */
  readonly options: Record<string, unknown>;
  /** The whole (validated) config. */
  readonly config: RemotetaskConfig;
  /** The directory relative paths in the config are resolved against. */
  readonly baseDir: string;
  readonly logger: Logger;
  /** Registers a task under `name`: for every site, or only for `site` (which hides a global one there). */
  addTask(name: string, task: Task, options?: { site?: string }): void;
  /**
   * Adds a contribution to an extension point (HTTP routes, dashboard renderers, …): the kernel
   * collects them and the plugin owning the point reads them with `kernel.contributions(point)`.
   */
  contribute<T>(point: symbol, contribution: T): void;
  /** Runs `handler` at boot after the store is open (`bootstrap`) or at `close`. */
  on(event: 'bootstrap' | 'close', handler: (kernel: Kernel) => void | Promise<void>): void;
}

export interface Plugin {
  name: string;
  version?: string;
  /** Names of plugins that must be registered first. */
  dependencies?: string[];
  /** Where this plugin's tasks run unless a task says so itself (see RunIn); default `inline`. */
  runIn?: RunIn;
  register(context: PluginContext): void | Promise<void>;
}

/** Declares a plugin: `export default definePlugin({ name, register(ctx) { … } })`. */
export function definePlugin(plugin: Plugin): Plugin {
  if (typeof plugin?.name !== 'string' || !/^[\w.@/-]+$/.test(plugin.name)) {
    throw new TypeError(`a plugin needs a name of letters, digits, "_", "-", "." or "/", got ${JSON.stringify(plugin?.name)}`);
  }
  if (typeof plugin.register !== 'function') {
    throw new TypeError(`plugin "${plugin.name}" needs a register(context) function`);
  }
  return plugin;
}

export function isPlugin(value: unknown): value is Plugin {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Plugin).name === 'string' &&
    typeof (value as Plugin).register === 'function'
  );
}
