import type { Command } from 'commander';
import winston from 'winston';
import type { PluginSpec, RemotetaskConfig } from '../config/define-config.js';
import { loadConfig } from '../config/load-config.js';
import { registerPlugins } from '../kernel/register-plugins.js';
import { CliCommands } from './cli-command.js';

/** `-c FILE`, `--config FILE` or `--config=FILE` on the command line. */
function configOption(argv: readonly string[]): string | undefined {
  for (const [index, arg] of argv.entries()) {
    if (arg === '-c' || arg === '--config') return argv[index + 1];
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return undefined;
}

function specName(spec: PluginSpec): string {
  const target = Array.isArray(spec) ? spec[0] : spec;
  return typeof target === 'string' ? target : target.name;
}

/**
 * Adds the commands plugins contribute (`CliCommands`) to the program: those of the config's
 * plugins and of the CLI's own `plugins`, found by registering them (nothing is opened). When the
 * config cannot be loaded or registered, the CLI's own plugins still bring theirs, and the command
 * that boots reports the config's problem.
 */
export async function addPluginCommands(program: Command, argv: readonly string[], plugins: readonly string[]): Promise<void> {
  const logger = winston.createLogger({ silent: true });
  const own = (config: RemotetaskConfig): RemotetaskConfig => {
    const named = (config.plugins ?? []).map(specName);
    return { ...config, plugins: [...(config.plugins ?? []), ...plugins.filter((name) => !named.includes(name))] };
  };
  let registration;
  try {
    const loaded = await loadConfig({ file: configOption(argv) });
    registration = await registerPlugins(own(loaded.config), { baseDir: loaded.baseDir, logger });
  } catch {
    registration = await registerPlugins(own({}), { baseDir: process.cwd(), logger });
  }
  const taken = new Set(program.commands.map((command) => command.name()));
  for (const command of registration.root.contributions(CliCommands).getContributions()) {
    if (taken.has(command.name)) continue;
    taken.add(command.name);
    command.register(program);
  }
}
