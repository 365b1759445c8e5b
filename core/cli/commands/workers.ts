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
  const workers = program.command('workers');
  // The client options (--url, --user, …) are the parent's: it parses them wherever they stand.
  for (const draining of [true, false]) {
    workers
      .command(`${draining ? 'drain' : 'undrain'} <id>`)
      .description(draining
        ? 'drain one process (its id from `remotetask workers`): it finishes its jobs and claims no more; it stays up until you stop it'
        : 'let a drained process claim jobs again')
      .action(async (id: string) => {
        await (await clientFor(workers.opts<ClientOptions>())).setWorkerDraining(id, draining);
        printLine(draining ? `${id} drains: it finishes its jobs and claims none` : `${id} claims jobs again`);
      });
  }
  withClientOptions(
    workers
      .description('list the processes that serve the store (web servers and workers): host, pid, services, running jobs; lost ones stopped beating')
      .option('--json', 'print the registry as JSON'),
  ).action(async (options: ClientOptions & { json?: boolean }) => {
    const registry = await (await clientFor(options)).workers();
    if (options.json) return printJson(registry);
    if (registry.workers.length === 0) return printLine('no processes');
    printLine(formatTable(
      ['ID', 'HOST', 'PID', 'ROLE', 'STATE', 'SERVICES', 'LAST BEAT', 'DONE/MIN', 'RUNNING'],
      registry.workers.map((worker) => [
        worker.id,
        worker.host,
        String(worker.pid),
        worker.role,
        worker.lost ? 'lost' : worker.draining ? (worker.jobs.length === 0 ? 'drained' : 'draining') : 'alive',
        worker.services.map((service) => `${service.address}×${service.concurrency}`).join(', ') || '-',
        worker.heartbeat,
        worker.finished === undefined ? '-' : String(worker.finished.lastMinute),
        describeJobs(worker),
      ]),
    ));
  });
}
