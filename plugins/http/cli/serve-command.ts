import { InvalidArgumentError } from 'commander';
import type { PluginSpec, RemotetaskConfig } from 'remotetask';
import { bootFromConfig, catchStopSignals, type CliCommand } from 'remotetask/cli';

interface ServeOptions {
  config?: string;
  host?: string;
  port?: number;
  /** false with --no-dashboard. */
  dashboard?: boolean;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535 (0 picks a free one)');
  return port;
}

function names(spec: PluginSpec, name: string): boolean {
  const target = Array.isArray(spec) ? spec[0] : spec;
  return typeof target === 'string' ? target === name : target.name === name;
}

/**
 * The config with the web service in it: the http and dashboard plugins added when missing (not the
 * dashboard with --no-dashboard), --host and --port over http.host and http.port.
 */
export function withWebService(config: RemotetaskConfig, options: ServeOptions): RemotetaskConfig {
  const plugins = config.plugins ?? [];
  const missing = ['http', ...(options.dashboard === false ? [] : ['dashboard'])].filter((name) => !plugins.some((spec) => names(spec, name)));
  return {
    ...config,
    plugins: [...plugins, ...missing],
    http: {
      ...config.http,
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.port === undefined ? {} : { port: options.port }),
    },
  };
}

/** `remotetask serve`: the web service, from the http plugin. */
export const serveCommand: CliCommand = {
  name: 'serve',
  register(program) {
    program
      .command('serve')
      .description('boot remotetask from the config, serve the web service (REST, XML-RPC, events, metrics) and process the autostarted services until stopped')
      .option('-c, --config <file>', 'the config file (default: remotetask.config.ts and friends in this directory)')
      .option('--host <host>', 'listen on this address (default: the config\'s http.host, else 127.0.0.1)')
      .option('--port <port>', 'listen on this port, 0 for a free one (default: the config\'s http.port, else 8080)', parsePort)
      .option('--no-dashboard', 'serve the API without the web dashboard')
      .action(async (options: ServeOptions) => {
        // The server listens during the boot: a signal from then on must already stop it gracefully.
        const signals = catchStopSignals();
        const kernel = await bootFromConfig({ config: options.config, adjust: (config) => withWebService(config, options) });
        await kernel.heartbeat.setRole('serve');
        kernel.logger.info(`processing: ${kernel.processors().join(', ') || '(no service started)'}`);
        // Closing stops the server first (the http plugin's stopping handler: no new requests nor
        // jobs), then the processors finish and the store closes.
        await signals.runUntilSignal(kernel.logger, () => kernel.close());
      });
  },
};
