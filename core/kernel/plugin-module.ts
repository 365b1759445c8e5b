import { ContainerModule } from 'inversify';
import type { Logger } from 'winston';
import type { RemotetaskConfig } from '../config/define-config.js';
import { placeTask } from '../isolation/isolated-task.js';
import type { Site } from '../registry/site.js';
import { TaskToken } from '../tasks/task.js';
import type { Plugin, PluginContext } from './define-plugin.js';
import { LifecycleHooks, LoadedPluginToken, type LifecycleHook } from './kernel.js';

/** What every plugin registers into: the site tree and what the plugins see of the boot. */
export interface RegistrationScope {
  root: Site;
  /** Every site, the root first. */
  sites: Site[];
  config: RemotetaskConfig;
  baseDir: string;
  logger: Logger;
  /** Which plugin registered each task (`site@task`), to name both when two register one name. */
  taskOwners: Map<string, string>;
}

/**
 * A plugin's bindings as an inversify `ContainerModule` for the root container: its `register`
 * runs against a context whose every call binds — tasks (a site's task in that site's container),
 * provided services, contributions to extension points and lifecycle handlers.
 */
export function pluginModule(plugin: Plugin, options: Record<string, unknown>, scope: RegistrationScope): ContainerModule {
  const { root, sites, config, baseDir, logger, taskOwners } = scope;
  return new ContainerModule(async ({ bind }) => {
    root.bindNamed(LoadedPluginToken, plugin.name, plugin, bind);
    const context: PluginContext = {
      name: plugin.name,
      options,
      config,
      baseDir,
      logger: logger.child({ plugin: plugin.name }),
      addTask(name, task, { site: siteName = '' } = {}) {
        if (typeof task?.run !== 'function') {
          throw new TypeError(`plugin "${plugin.name}" adds task "${name}" without a run(input, context) method`);
        }
        const site = sites.find((candidate) => candidate.name === siteName);
        if (!site) {
          throw new Error(
            `plugin "${plugin.name}" adds task "${name}" to site "${siteName}", which the config does not define (sites: ${sites.map((s) => s.displayName).join(', ')})`,
          );
        }
        const key = `${siteName}@${name}`;
        const owner = taskOwners.get(key);
        if (owner !== undefined) {
          throw new Error(
            `task "${name}" is registered twice${site.isRoot ? '' : ` in site ${siteName}`}: by plugin "${owner}" and by plugin "${plugin.name}"`,
          );
        }
        taskOwners.set(key, plugin.name);
        const placed = placeTask(task, plugin.runIn, `plugin "${plugin.name}" adds task "${name}"`);
        // A site's own task is a local registration in that site's container.
        site.bindNamed(TaskToken, name, placed, site.isRoot ? bind : undefined);
      },
      provide(token, value) {
        if (root.container.isCurrentBound(token)) {
          throw new Error(`plugin "${plugin.name}" provides ${token.description ?? 'a token'}, which another plugin provides already`);
        }
        root.bindValue(token, value, bind);
      },
      lookup: (token, name) => root.lookup(token, name),
      contribute(point, contribution) {
        root.bindValue(point, contribution, bind);
      },
      on(phase, handler) {
        if (!['bootstrap', 'stopping', 'close'].includes(phase)) {
          throw new TypeError(`plugin "${plugin.name}" listens to "${phase}": the phases are bootstrap, stopping and close`);
        }
        root.bindValue<LifecycleHook>(LifecycleHooks, { phase, plugin: plugin.name, handler }, bind);
      },
    };
    await plugin.register(context);
  });
}
