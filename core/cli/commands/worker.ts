import type { Command } from 'commander';
import { bootFromConfig } from '../boot-from-config.js';
import { runUntilSignal } from '../run-until-signal.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'a worker-only process (no HTTP): boot from the config and process the services its autostart directives name; run as many as you like against one PostgreSQL store',
    )
    .option('-c, --config <file>', 'the config file (default: remotetask.config.ts and friends in this directory)')
    .action(async (options: { config?: string }) => {
      const kernel = await bootFromConfig(options);
      const processors = kernel.processors();
      if (processors.length === 0) {
        kernel.logger.warn('this worker processes nothing: no autostart directive started a service');
      }
      kernel.logger.info(`worker ${kernel.workerId} processing: ${processors.join(', ') || '(nothing)'}`);
      await runUntilSignal(kernel.logger, () => kernel.close());
    });
}
