import type { Command } from 'commander';
import { catchStopSignals } from '../catch-stop-signals.js';
import { CliError } from '../cli-error.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'a worker-only process (no HTTP): boot from the config and process the services its autostart directives name; run as many as you like against one PostgreSQL store',
    )
    .option('-c, --config <file>', 'the config file (default: remotetask.config.ts and friends in this directory)')
    .action(async (options: { config?: string }) => {
      // A signal during the boot still stops the worker gracefully once it is up.
      const signals = catchStopSignals();
      // The kernel loads only for the commands that boot one: the client commands start faster.
      const { bootFromConfig } = await import('../boot-from-config.js');
      const kernel = await bootFromConfig(options);
      const processors = kernel.processors();
      if (processors.length === 0) {
        await kernel.close();
        const services = kernel.services().map((service) => service.address);
        throw new CliError(
          `this worker has nothing to process: no autostart directive of the config started a service` +
            (services.length > 0
              ? ` (its services: ${services.join(', ')}); name them in autostart, e.g. autostart: ['${services[0]}'] or ['*@*']`
              : ': it defines none; add one under sites and name it in autostart'),
          1,
        );
      }
      await kernel.heartbeat.setRole('worker');
      kernel.logger.info(`worker ${kernel.workerId} processing: ${processors.join(', ') || '(nothing)'}`);
      await signals.runUntilSignal(kernel.logger, () => kernel.close());
    });
}
