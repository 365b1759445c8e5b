import type { Command } from 'commander';
import { type ClientOptions, clientFor, withClientOptions } from '../client-options.js';
import { parseJobId } from '../parse-arguments.js';
import { formatTable, printJson, printLine } from '../print.js';

interface AttemptsOptions extends ClientOptions {
  json?: boolean;
  stacks?: boolean;
}

export function registerAttempts(program: Command): void {
  withClientOptions(
    program
      .command('attempts')
      .description('print a job\'s runs that ended, newest first: attempt, outcome, when, on which worker, the error')
      .argument('<id>', 'the job id')
      .option('--stacks', 'print each error\'s stack under its row')
      .option('--json', 'print the attempts as JSON, stacks included'),
  ).action(async (id: string, options: AttemptsOptions) => {
    const attempts = await (await clientFor(options)).service(options.service).attempts(parseJobId(id));
    if (options.json) return printJson(attempts);
    if (attempts.length === 0) return printLine(`job ${id} has no attempt that ended yet`);
    const header = ['ATTEMPT', 'OUTCOME', 'STARTED', 'ENDED', 'WORKER', 'ERROR'];
    const row = (a: (typeof attempts)[number]) => [String(a.attempt), a.outcome, a.started ?? '-', a.ended, a.workerId, firstLine(a.error)];
    if (!options.stacks) return printLine(formatTable(header, attempts.map(row)));
    for (const attempt of attempts) {
      printLine(formatTable(header, [row(attempt)]));
      if (attempt.errorStack) printLine(attempt.errorStack.replace(/^/gm, '    '));
    }
  });
}

const firstLine = (text: string | null) => (text === null ? '' : text.split('\n', 1)[0]);
