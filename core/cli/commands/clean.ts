import type { Command } from 'commander';
import type { JobStatus } from '../../client/index.js';
import { type ClientOptions, clientFor, withClientOptions } from '../client-options.js';
import { parseList } from '../parse-arguments.js';
import { printLine } from '../print.js';

export function registerClean(program: Command): void {
  withClientOptions(
    program
      .command('clean')
      .description('remove finished jobs; prints how many were removed')
      .option('--status <statuses>', 'only these final statuses: cancelled, error, completed (default all three)', parseList),
  ).action(async (options: ClientOptions & { status?: string[] }) => {
    const removed = await (await clientFor(options)).service(options.service).clean(options.status as JobStatus[] | undefined);
    printLine(`removed ${removed} job${removed === 1 ? '' : 's'}`);
  });
}
