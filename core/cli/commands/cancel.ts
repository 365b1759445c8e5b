import type { Command } from 'commander';
import { type ClientOptions, clientFor, withClientOptions } from '../client-options.js';
import { parseJobId } from '../parse-arguments.js';
import { printLine } from '../print.js';

export function registerCancel(program: Command): void {
  withClientOptions(
    program
      .command('cancel')
      .description('cancel a job (a running one is asked to stop); prints its status afterwards')
      .argument('<id>', 'the job id'),
  ).action(async (id: string, options: ClientOptions) => {
    const { status } = await (await clientFor(options)).service(options.service).cancel(parseJobId(id));
    printLine(status);
  });
}
