import type { Command } from 'commander';
import type { JobEventStream, ServiceClient } from '../../client/index.js';
import { CliError, EXIT } from '../cli-error.js';
import { type ClientOptions, clientFor, withClientOptions } from '../client-options.js';
import { parseJsonArgument } from '../parse-arguments.js';
import { printJson, printLine } from '../print.js';
import { ProgressBar } from '../progress-bar.js';

const FINAL_EVENTS = new Set(['completed', 'failed', 'cancelled']);

/** Follows a job's events to its end, showing progress; prints the result, or exits 1 when it failed. */
async function waitForJob(service: ServiceClient, id: number, events: JobEventStream): Promise<void> {
  const bar = new ProgressBar();
  try {
    for await (const event of events) {
      if (event.jobId !== id) continue;
      if (event.type === 'progress' && event.progress !== undefined) bar.update(event.progress, event.message);
      if (FINAL_EVENTS.has(event.type)) break;
    }
  } finally {
    events.close();
    bar.done();
  }
  const job = await service.job(id);
  if (job.status === 'completed') return printJson(job.result);
  if (job.status === 'error') throw new CliError(`job ${id} failed: ${job.error}`, EXIT.JOB_FAILED);
  if (job.status === 'cancelled') throw new CliError(`job ${id} was cancelled`, EXIT.JOB_FAILED);
  throw new CliError(`the event stream ended while job ${id} is ${job.status}: the server went away?`);
}

export function registerAdd(program: Command): void {
  withClientOptions(
    program
      .command('add')
      .description('add a job; prints its id, or with --wait follows it and prints its result')
      .argument('<task>', 'the task to run')
      .argument('[json]', 'the job\'s input as JSON (default null)')
      .option('--start-later', 'add it in "start later"; start it with the API or XML-RPC startJob')
      .option('-w, --wait', 'wait for the job to end, showing its progress on stderr; exit 1 when it fails or is cancelled'),
  ).action(async (task: string, json: string | undefined, options: ClientOptions & { startLater?: boolean; wait?: boolean }) => {
    const input = parseJsonArgument(json);
    const service = (await clientFor(options)).service(options.service);
    // Subscribe before adding, so no event of the new job can slip by.
    const events = options.wait ? await service.events() : undefined;
    try {
      const { id } = await service.add(task, input, { startLater: options.startLater });
      if (!events) return printLine(String(id));
      await waitForJob(service, id, events);
    } finally {
      events?.close();
    }
  });
}
