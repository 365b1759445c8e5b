import type { Command } from 'commander';
import { type ClientOptions, clientFor, withClientOptions } from '../client-options.js';
import { parseJobId } from '../parse-arguments.js';
import { printLine } from '../print.js';
import { parsePriority } from './add.js';

export function registerPriority(program: Command): void {
  withClientOptions(
    program
      .command('priority')
      .description('change the priority of a job that waits (lower runs first); prints its new priority')
      .argument('<id>', 'the job id')
      .argument('<priority>', 'the new priority, -32768 to 32767', parsePriority),
  ).action(async (id: string, priority: number, options: ClientOptions) => {
    const job = await (await clientFor(options)).service(options.service).setPriority(parseJobId(id), priority);
    printLine(String(job.priority));
  });
}
