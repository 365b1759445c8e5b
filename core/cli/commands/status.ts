import type { Command } from 'commander';
import { type ClientOptions, clientFor, withClientOptions } from '../client-options.js';
import { parseJobId } from '../parse-arguments.js';
import { printJson, printLine } from '../print.js';

export function registerStatus(program: Command): void {
  withClientOptions(
    program
      .command('status')
      .description('print a job\'s status (queued, processing, completed, error, cancelled, delayed, cronjob, start later)')
      .argument('<id>', 'the job id')
      .option('--json', 'print the whole job as JSON'),
  ).action(async (id: string, options: ClientOptions & { json?: boolean }) => {
    const job = await (await clientFor(options)).service(options.service).job(parseJobId(id));
    if (options.json) printJson(job);
    else printLine(job.status);
  });
}
