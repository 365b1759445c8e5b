import { type Command, InvalidArgumentError } from 'commander';
import { catchStopSignals } from '../catch-stop-signals.js';
import { CliError } from '../cli-error.js';

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535 (0 picks a free one)');
  return port;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'a worker-only process (no HTTP): boot from the config and process the services its autostart directives name; run as many as you like against one PostgreSQL store',
    )
    .option('-c, --config <file>', 'the config file (default: remotetask.config.ts and friends in this directory)')
    .option('--http-port <port>', 'serve this worker\'s own /healthz and /metrics on this port (0: a free one), for probes and Prometheus', parsePort)
    .option('--http-host <host>', 'the address of --http-port (default 127.0.0.1)')
    .action(async (options: { config?: string; httpPort?: number; httpHost?: string }) => {
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
      let http: { url: string; close(): Promise<void> } | undefined;
      if (options.httpPort !== undefined) {
        const { serveWorkerHttp } = await import('../../fleet/worker-http.js');
        http = await serveWorkerHttp(kernel, options.httpPort, options.httpHost).catch(async (error: Error) => {
          await kernel.close();
          throw new CliError(`--http-port ${options.httpPort}: cannot listen (${error.message}); pick a free port, or 0 for any`, 1);
        });
        kernel.logger.info(`worker health and metrics on ${http.url}`);
      }
      kernel.logger.info(`worker ${kernel.workerId} processing: ${processors.join(', ') || '(nothing)'}`);
      await signals.runUntilSignal(kernel.logger, async () => {
        await http?.close();
        await kernel.close();
      });
    });
}
