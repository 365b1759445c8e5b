import type { Command } from 'commander';
import type { JobJson, JobStatus } from '../../client/index.js';
import { type ClientOptions, clientFor, withClientOptions } from '../client-options.js';
import { parseList } from '../parse-arguments.js';
import { formatTable, printJson, printLine } from '../print.js';

/** The statuses of jobs that still wait for a run: only theirs is a next run worth showing. */
const WAITING: ReadonlySet<JobStatus> = new Set(['queued', 'delayed', 'cronjob']);

function describe(job: JobJson): string {
  if (job.error) return job.error;
  if (job.status === 'processing' && job.progress !== null) return `${Math.round(job.progress * 100)}% ${job.progressMessage ?? ''}`.trim();
  if (job.nextRunAt && WAITING.has(job.status)) return `next run ${job.nextRunAt}`;
  return '';
}

export function registerJobs(program: Command): void {
  withClientOptions(
    program
      .command('jobs')
      .description('list the service\'s jobs, oldest first')
      .option('--status <statuses>', 'only these statuses (comma-separated or repeated)', parseList)
      .option('--task <name>', 'only jobs of this task')
      .option('--limit <n>', 'at most this many (1-1000)', '50')
      .option('--cursor <cursor>', 'continue after the page that printed this cursor')
      .option('--json', 'print the page as JSON ({ jobs, nextCursor })'),
  ).action(async (options: ClientOptions & { status?: string[]; task?: string; limit: string; cursor?: string; json?: boolean }) => {
    const page = await (await clientFor(options)).service(options.service).jobs({
      status: options.status as JobStatus[] | undefined,
      task: options.task,
      limit: Number(options.limit),
      cursor: options.cursor,
    });
    if (options.json) return printJson(page);
    if (page.jobs.length === 0) return printLine('no jobs');
    printLine(formatTable(['ID', 'STATUS', 'TASK', 'CREATED', 'INFO'], page.jobs.map((job) => [String(job.id), job.status, job.task, job.created, describe(job)])));
    if (page.nextCursor) printLine(`more: --cursor ${page.nextCursor}`);
  });
}
