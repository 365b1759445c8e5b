import { Command, CommanderError } from 'commander';
import { RemotetaskHttpError } from '../client/index.js';
import { CliError, EXIT } from './cli-error.js';
import { registerAdd } from './commands/add.js';
import { registerCancel } from './commands/cancel.js';
import { registerClean } from './commands/clean.js';
import { registerCron } from './commands/cron.js';
import { registerHashPassword } from './commands/hash-password.js';
import { registerJobs } from './commands/jobs.js';
import { registerResult } from './commands/result.js';
import { registerServe } from './commands/serve.js';
import { registerStatus } from './commands/status.js';
import { registerTasks } from './commands/tasks.js';
import { registerWorker } from './commands/worker.js';
import { packageVersion } from './package-version.js';

const program = new Command('remotetask')
  .description('remote task execution: durable job queues, cron jobs and workers')
  .version(packageVersion(), '-V, --version', 'print the version of remotetask')
  .showHelpAfterError()
  .exitOverride();

registerServe(program);
registerAdd(program);
registerStatus(program);
registerResult(program);
registerCancel(program);
registerJobs(program);
registerTasks(program);
registerClean(program);
registerCron(program);
registerHashPassword(program);
registerWorker(program);

// A command whose work ended without it settling (nothing keeps the process up any more) would
// leave Node to exit 13 for the unsettled top-level await: say so and exit 1 instead.
let settled = false;
process.once('beforeExit', () => {
  if (settled) return;
  console.error('remotetask: the command stopped with nothing left to wait for, before it finished (a bug: please report it)');
  process.exit(1);
});

try {
  await program.parseAsync(process.argv);
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
