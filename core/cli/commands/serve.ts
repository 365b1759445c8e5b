import type { Command } from 'commander';
import { bootFromConfig } from '../boot-from-config.js';
import { runUntilSignal } from '../run-until-signal.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('boot remotetask from the config and process the autostarted services until stopped')
    .option('-c, --config <file>', 'the config file (default: remotetask.config.ts and friends in this directory)')
    .action(async (options: { config?: string }) => {
      const kernel = await bootFromConfig(options);
      kernel.logger.info(`processing: ${kernel.processors().join(', ') || '(no service started)'}`);
      await runUntilSignal(kernel.logger, () => kernel.close());
    });
}
