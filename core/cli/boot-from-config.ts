import type { Logger } from 'winston';
import type { RemotetaskConfig } from '../config/define-config.js';
import { loadConfig } from '../config/load-config.js';
import { containStrayErrors } from '../isolation/stray-errors.js';
import { createKernel } from '../kernel/create-kernel.js';
import type { Kernel } from '../kernel/kernel.js';
import { createLogger } from '../log/create-logger.js';
import { bootWhenStoreReachable } from './boot-when-store-reachable.js';

/**
 * Loads the config (`--config` or the search) and boots a kernel from it; `adjust` may change the
 * loaded config first (command-line options that override it). Errors that escape inline tasks
 * are contained from the start: they fail their job, not the process.
 */
export async function bootFromConfig(options: {
  config?: string;
  autostart?: boolean;
  adjust?: (config: RemotetaskConfig) => RemotetaskConfig;
}): Promise<Kernel> {
  // Before the boot: autostarted services may run tasks before it returns.
  const strays = containStrayErrors();
  const loaded = await loadConfig({ file: options.config });
  const config = options.adjust ? options.adjust(loaded.config) : loaded.config;
  let waitLogger: Logger | undefined;
  const kernel = await bootWhenStoreReachable(
    () => createKernel(config, { configFile: loaded.file, baseDir: loaded.baseDir, autostart: options.autostart }),
    () => (waitLogger ??= createLogger(config.log)),
  );
  strays.logTo(kernel.logger);
  kernel.logger.info(
    `remotetask booted from ${loaded.file ?? `the built-in defaults (no config file in ${loaded.baseDir} nor above it, up to the project root)`}: ` +
      `store ${kernel.store.kind}, plugins ${kernel.pluginNames().join(', ') || '(none)'}, ` +
      `services ${kernel.services().map((service) => service.address).join(', ') || '(none)'}`,
  );
  return kernel;
}
