import { Command, CommanderError } from 'commander';
import { RemotetaskHttpError } from '../client/index.js';
import { CliError, EXIT } from './cli-error.js';
import { registerAdd } from './commands/add.js';
import { registerCancel } from './commands/cancel.js';
import { registerPriority } from './commands/priority.js';
import { registerClean } from './commands/clean.js';
import { registerCron } from './commands/cron.js';
import { registerJobs } from './commands/jobs.js';
import { registerResult } from './commands/result.js';
import { registerRetry } from './commands/retry.js';
import { registerStatus } from './commands/status.js';
import { registerAttempts } from './commands/attempts.js';
import { registerTasks } from './commands/tasks.js';
import { registerWorker } from './commands/worker.js';
import { registerWorkers } from './commands/workers.js';
import { registerPause } from './commands/pause.js';
import { packageVersion } from './package-version.js';

export interface CliOptions {
  /** Plugins whose commands the CLI offers even when the config does not name them. */
  plugins?: readonly string[];
}

/** The command names given on the command line: the first argument that is no option. */
function commandName(args: readonly string[]): string | undefined {
  return args.find((arg) => !arg.startsWith('-'));
}

/**
 * Runs the `remotetask` command. Core's own commands run without loading any plugin (the client
 * commands start fast); any other command, and help, comes from the plugins (`CliCommands`).
 */
export async function runCli(argv: readonly string[], options: CliOptions = {}): Promise<void> {
  const program = new Command('remotetask')
    .description('remote task execution: durable job queues, cron jobs and workers')
    .version(packageVersion(), '-V, --version', 'print the version of remotetask')
    .showHelpAfterError()
    .exitOverride();
  for (const register of [registerAdd, registerStatus, registerAttempts, registerResult, registerCancel, registerRetry, registerPriority, registerJobs, registerTasks, registerClean, registerCron, registerWorker, registerWorkers, registerPause]) {
    register(program);
  }
  // A command whose work ended without it settling (nothing keeps the process up any more) would
  // leave Node to exit 13 for the unsettled top-level await: say so and exit 1 instead.
  let settled = false;
  process.once('beforeExit', () => {
    if (settled) return;
    console.error('remotetask: the command stopped with nothing left to wait for, before it finished (a bug: please report it)');
    process.exit(1);
  });
  try {
    const name = commandName(argv.slice(2));
    if (name === undefined || !program.commands.some((command) => command.name() === name)) {
      const { addPluginCommands } = await import('./plugin-commands.js');
      await addPluginCommands(program, argv, options.plugins ?? []);
    }
    await program.parseAsync(argv);
    settled = true;
  } catch (error) {
    settled = true;
    // Commander has printed its message already; help and --version end with 0, usage errors with 2.
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? EXIT.OK : EXIT.USAGE);
    // Errors we made say what is wrong; no stack trace for them.
    console.error(`remotetask: ${(error as Error).message}`);
    if (error instanceof CliError) process.exit(error.exitCode);
    // The server refused the request, or could not be reached.
    if (error instanceof RemotetaskHttpError) process.exit(EXIT.USAGE);
    process.exit(1);
  }
}
