import type { Command } from 'commander';
import { type ClientOptions, clientFor, withClientOptions } from '../client-options.js';
import { parseJobId } from '../parse-arguments.js';
import { printJson } from '../print.js';

export function registerResult(program: Command): void {
  withClientOptions(
    program
      .command('result')
      .description('print a job\'s result as JSON (null while it has none; a cron job: its last run\'s)')
      .argument('<id>', 'the job id'),
  ).action(async (id: string, options: ClientOptions) => {
    printJson((await (await clientFor(options)).service(options.service).job(parseJobId(id))).result);
  });
}
