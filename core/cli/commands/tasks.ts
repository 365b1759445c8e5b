import type { Command } from 'commander';
import { type ClientOptions, clientFor, withClientOptions } from '../client-options.js';
import { formatTable, printJson, printLine } from '../print.js';

export function registerTasks(program: Command): void {
  withClientOptions(
    program
      .command('tasks')
      .description('list the tasks the service can run')
      .option('--json', 'print them as JSON, with their input schemas'),
  ).action(async (options: ClientOptions & { json?: boolean }) => {
    const tasks = await (await clientFor(options)).service(options.service).tasks();
    if (options.json) return printJson(tasks);
    if (tasks.length === 0) return printLine('no tasks');
    printLine(formatTable(['TASK', 'DESCRIPTION'], tasks.map((task) => [task.name, task.description ?? ''])));
  });
}
