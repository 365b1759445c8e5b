import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { type ClientOptions, clientFor, withClientOptions } from '../client-options.js';
import { parseJobId } from '../parse-arguments.js';
import { printLine } from '../print.js';

interface RetryOptions extends ClientOptions {
  allFailed?: boolean;
  cancelled?: boolean;
  task?: string;
}

export function registerRetry(program: Command): void {
  withClientOptions(
    program
      .command('retry')
      .description('put failed (error) or cancelled jobs back in the queue, attempts counted afresh; prints each one\'s status, or how many')
      .argument('[ids...]', 'the job ids')
      .option('--all-failed', 'retry every failed job of the service instead of the given ids')
      .option('--cancelled', 'with --all-failed: retry the cancelled jobs too')
      .option('--task <name>', 'with --all-failed: only jobs of this task'),
  ).action(async (ids: string[], options: RetryOptions) => {
    if (options.allFailed === true && ids.length > 0) throw new CliError('give job ids or --all-failed, not both');
    if (options.allFailed !== true && (options.cancelled === true || options.task !== undefined)) {
      throw new CliError('--cancelled and --task go with --all-failed');
    }
    const service = (await clientFor(options)).service(options.service);
    if (options.allFailed === true) {
      const retried = await service.retryAll({ status: options.cancelled ? ['error', 'cancelled'] : ['error'], task: options.task });
      printLine(`retried ${retried} job${retried === 1 ? '' : 's'}`);
      return;
    }
    if (ids.length === 0) throw new CliError('give the ids of the jobs to retry, or --all-failed');
    // Every id is checked before any job is retried.
    const jobIds = ids.map(parseJobId);
    for (const jobId of jobIds) {
      const { status } = await service.retry(jobId);
      printLine(jobIds.length === 1 ? status : `${jobId} ${status}`);
    }
  });
}
