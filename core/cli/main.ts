import { Command, CommanderError } from 'commander';
import { registerServe } from './commands/serve.js';

const program = new Command('remotetask')
  .description('remote task execution: durable job queues, cron jobs and workers')
  .showHelpAfterError()
  .exitOverride();

registerServe(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  // Errors we made say what is wrong; no stack trace for them.
  console.error(`remotetask: ${(error as Error).message}`);
  process.exit(1);
}
