import type { Logger } from 'winston';
import type { RemotetaskConfig } from '../config/define-config.js';
import type { Token } from '../registry/token.js';
import type { JsonSchema, RunIn, Task } from '../tasks/task.js';
import type { Kernel, LifecyclePhase } from './kernel.js';

/**
 * What a plugin's `register` gets: a small typed way to bind into the kernel's container. What a
 * plugin binds forms its inversify `ContainerModule`, loaded into the root container (a task for
 * one site is bound in that site's container).
 */
export interface PluginContext {
  /** The plugin's own name. */
  readonly name: string;
  /**
   * The plugin's options, checked against its `options.schema`: the config's top-level key of the
   * plugin's name (`http: { port: 8080 }`) and `['name', { … }]` in `plugins` (the key wins), or `{}`.
   */
  readonly options: Record<string, unknown>;
  /** The whole (validated) config. */
  readonly config: RemotetaskConfig;
  /** The directory relative paths in the config are resolved against. */
  readonly baseDir: string;
  readonly logger: Logger;
  /** Registers a task under `name`: for every site, or only for `site` (which hides a global one there). */
  addTask(name: string, task: Task, options?: { site?: string }): void;
  /**
   * Provides a service to other plugins and to tasks: a root singleton under `token`. Others get
   * it with `ctx.lookup(token)`, `kernel.lookup(token)` or, in a task, `context.lookup(token)`.
   */
  provide<T>(token: Token<T>, value: T): void;
  /** What a plugin registered before this one (see `dependencies`) provides, or undefined. */
  lookup<T>(token: Token<T>, name?: string): T | undefined;
  /**
   * Adds a contribution to an extension point (HTTP routes, dashboard renderers, CLI commands, …):
   * a multi-binding of `point`, which the plugin owning the point reads with `kernel.contributions(point)`.
   */
  contribute<T>(point: Token<T>, contribution: T): void;
  /**
   * Runs `handler` at boot after the store is open (`bootstrap`), when the kernel begins to close,
   * before its processors stop (`stopping`: stop taking new work, e.g. close a server), or at the
   * end of `close`, after the processors stopped (`close`). Stopping and close handlers run in
   * reverse plugin order.
   */
  on(event: LifecyclePhase, handler: (kernel: Kernel) => void | Promise<void>): void;
}

declare module '../config/define-config.js' {
  /** Plugin objects in a config get the context `register` is called with. */
  interface PluginTypes {
    context: PluginContext;
  }
}

/** A plugin's options: what they may hold, checked at boot with every problem named by key. */
export interface PluginOptionsSpec<Options = Record<string, unknown>> {
  /** A JSON Schema of the options object. */
  schema: JsonSchema;
  /**
   * What the schema cannot say; returns one message per problem. `key('users', name)` gives the
   * key's full path in the config (`http.users.bob`), to start each message with.
   */
  check?(options: Options, key: (...segments: (string | number)[]) => string): string[];
}

export interface Plugin {
  name: string;
  version?: string;
  /** Names of plugins that must be registered first. */
  dependencies?: string[];
  /** Where this plugin's tasks run unless a task says so itself (see RunIn); default `inline`. */
  runIn?: RunIn;
  /** What the plugin's options may hold; without it, any object is taken. */
  options?: PluginOptionsSpec<any>;
  register(context: PluginContext): void | Promise<void>;
}

/**
 * An options spec whose check is a function that reads the options and throws on what it cannot
 * take (a plugin's own `resolve…Settings`): its message becomes the boot's problem.
 */
export function optionsCheckedBy<Options>(read: (options: Options) => unknown): PluginOptionsSpec<Options> {
  return {
    schema: { type: 'object' },
    check(options) {
      try {
        read(options);
        return [];
      } catch (error) {
        return [(error as Error).message];
      }
    },
  };
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
