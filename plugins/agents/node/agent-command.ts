import { hostname } from 'node:os';
import { InvalidArgumentError } from 'commander';
import { createKernel, createLogger, type JobEvent, loadConfig, type PluginSpec, type RemotetaskConfig, type Site, type Task, TaskToken } from 'remotetask';
import { catchStopSignals, type CliCommand } from 'remotetask/cli';
import { AGENT_NAME_PATTERN, type AnnouncedTask } from '../protocol.js';
import { AgentConnection } from './agent-connection.js';
import { agentFilesPlugin } from './agent-files-plugin.js';
import { HttpJobStore } from './http-job-store.js';

interface AgentOptions {
  server: string;
  token?: string;
  tokenEnv: string;
  service: string;
  concurrency: number;
  name?: string;
  config?: string;
}

/** The plugins an agent does not load: it serves nothing over HTTP and is no agents server. */
const SERVER_PLUGINS = new Set(['agents', 'http', 'dashboard']);

function specName(spec: PluginSpec): string {
  const target = Array.isArray(spec) ? spec[0] : spec;
  return typeof target === 'string' ? target : target.name;
}

function positive(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > 10_000) throw new InvalidArgumentError('a whole number from 1 to 10000');
  return value;
}

/**
 * The config's plugins and their options; no store, no services, nothing started: the agent adds
 * its one service. Its `files` are the server's, reached over the connection.
 */
function agentConfig(config: RemotetaskConfig, site: string, connection: AgentConnection): RemotetaskConfig {
  return {
    ...config,
    store: { kind: 'memory' },
    plugins: [...(config.plugins ?? []).filter((spec) => !SERVER_PLUGINS.has(specName(spec)) && specName(spec) !== 'files'), agentFilesPlugin(connection)],
    sites: { [site]: {} },
    autostart: [],
  };
}

/** What the agent announces: every task its plugins registered for the site, with their schemas. */
function announcedTasks(site: Site): AnnouncedTask[] {
  return site.visibleNames(TaskToken).map((name) => {
    const { description, inputSchema, outputSchema } = site.lookup<Task>(TaskToken, name)!;
    return { name, description, inputSchema, outputSchema };
  });
}

function progressLine(event: JobEvent): string | undefined {
  const job = `job ${event.jobId} (${event.task})`;
  switch (event.type) {
    case 'started': return `${job} started`;
    case 'progress': return `${job} ${Math.round((event.progress ?? 0) * 100)}%${event.message ? ` ${event.message}` : ''}`;
    case 'completed': return `${job} completed`;
    case 'failed': return `${job} failed: ${event.error}`;
    case 'retrying': return `${job} failed, will be retried: ${event.error}`;
    case 'cancelled': return `${job} cancelled`;
    default: return undefined;
  }
}

/**
 * `remotetask agent --server URL --token …`: runs the tasks of the config's plugins for a service
 * of a remote server, reaching it over HTTP only. The kernel is the usual one, on a store that
 * speaks the agent protocol; SIGTERM hands unfinished jobs back.
 */
export const agentCommand: CliCommand = {
  name: 'agent',
  register(program) {
    program
      .command('agent')
      .description('run the tasks of the config\'s plugins for a remote server, over HTTP only (no database access)')
      .requiredOption('--server <url>', 'the web service, e.g. http://tasks.example:8080')
      .option('--token <token>', 'the agent\'s bearer token (better: --token-env)')
      .option('--token-env <variable>', 'the environment variable holding the token', 'REMOTETASK_TOKEN')
      .option('--service <address>', 'the service whose jobs it runs', '@Agents')
      .option('--concurrency <n>', 'jobs at once', positive, 4)
      .option('--name <name>', 'its name for the server, kept across reconnects (default: host-pid)')
      .option('-c, --config <file>', 'the config file naming the plugins whose tasks it runs')
      .action(async (options: AgentOptions) => {
        const signals = catchStopSignals();
        const at = options.service.indexOf('@');
        if (at < 0) throw new InvalidArgumentError(`--service ${options.service}: write site@Service, or @Service for the root site`);
        const name = options.name ?? `${hostname()}-${process.pid}`;
        if (!new RegExp(AGENT_NAME_PATTERN).test(name)) throw new InvalidArgumentError(`--name ${name}: use letters, digits, "_", ".", ":" and "-"`);
        const site = options.service.slice(0, at);
        const loaded = await loadConfig({ file: options.config });
        const connection = new AgentConnection({
          server: options.server, token: options.token ?? process.env[options.tokenEnv], service: options.service, agent: name,
          logger: createLogger(loaded.config.log),
        });
        const kernel = await createKernel(agentConfig(loaded.config, site, connection), {
          configFile: loaded.file, baseDir: loaded.baseDir, store: new HttpJobStore(connection), workerId: `agent:${name}`,
        });
        const siteOf = kernel.getSite(site)!;
        const tasks = announcedTasks(siteOf);
        const { leaseMs } = await connection.hello(tasks);
        const service = kernel.addService(siteOf, options.service.slice(at + 1), { processor: 'multi', maxConcurrency: options.concurrency, leaseMs });
        void connection.listen();
        // A line per job start and end: at thousands of jobs a second, not even built when info is not logged.
        if (kernel.logger.isInfoEnabled()) {
          kernel.events.on((event) => {
            const line = progressLine(event);
            if (line) kernel.logger.info(line);
          });
        }
        service.startProcessing();
        kernel.logger.info(`agent ${name} serves ${tasks.map((task) => task.name).join(', ') || '(no task)'} of ${options.server} ${options.service}, ${options.concurrency} at once, lease ${leaseMs} ms`);
        await signals.runUntilSignal(kernel.logger, () => kernel.close());
      });
  },
};
