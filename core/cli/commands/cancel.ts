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
    const jobId = parseJobId(id);
    const { status } = await (await clientFor(options)).service(options.service).cancel(jobId);
    // A running job is only asked to stop: it is still processing now, and ends cancelled later.
    printLine(status === 'processing' ? `cancelling: job ${jobId} is running and was asked to stop; it ends cancelled once its task stops` : status);
  });
}
