import type { Command } from 'commander';
import type { WorkerJson } from '../../client/index.js';
import { type ClientOptions, clientFor, withClientOptions } from '../client-options.js';
import { formatTable, printJson, printLine } from '../print.js';

function describeJobs(worker: WorkerJson): string {
  if (worker.jobs.length === 0) return '-';
  const shown = worker.jobs.slice(0, 5).map((job) => `${job.id} ${job.task}`);
  return worker.jobs.length > 5 ? `${shown.join(', ')} (+${worker.jobs.length - 5})` : shown.join(', ');
}

export function registerWorkers(program: Command): void {
  withClientOptions(
    program
      .command('workers')
      .description('list the processes that serve the store (web servers and workers): host, pid, services, running jobs; lost ones stopped beating')
      .option('--json', 'print the registry as JSON'),
  ).action(async (options: ClientOptions & { json?: boolean }) => {
    const registry = await (await clientFor(options)).workers();
    if (options.json) return printJson(registry);
    if (registry.workers.length === 0) return printLine('no processes');
    printLine(formatTable(
      ['HOST', 'PID', 'ROLE', 'STATE', 'SERVICES', 'LAST BEAT', 'RUNNING'],
      registry.workers.map((worker) => [
        worker.host,
        String(worker.pid),
        worker.role,
        worker.lost ? 'lost' : 'alive',
        worker.services.map((service) => `${service.address}×${service.concurrency}`).join(', ') || '-',
        worker.heartbeat,
        describeJobs(worker),
      ]),
    ));
  });
}
