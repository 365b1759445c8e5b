import { createWriteStream, openAsBlob } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { type Command, InvalidArgumentError } from 'commander';
import type { JobEventStream, RemotetaskClient, ServiceClient } from '../../client/index.js';
import { MAX_PRIORITY, MIN_PRIORITY } from '../../jobs/job-limits.js';
import { CliError, EXIT } from '../cli-error.js';
import { type ClientOptions, clientFor, withClientOptions } from '../client-options.js';
import { parseJsonArgument } from '../parse-arguments.js';
import { printJson, printLine } from '../print.js';
import { ProgressBar } from '../progress-bar.js';

const FINAL_EVENTS = new Set(['completed', 'failed', 'cancelled']);
const FINAL_STATUSES = new Set(['completed', 'error', 'cancelled']);

interface AddOptions {
  startLater?: boolean;
  timeout?: number;
  priority?: number;
  queue?: string;
  key?: string;
  keyScope?: 'waiting' | 'running' | 'finished';
  keyPeriod?: number;
  replace?: boolean;
  after?: number[];
  runAnyway?: boolean;
  wait?: boolean;
  upload?: string;
  to?: string;
  output?: string;
}

function parseTimeout(text: string): number {
  const ms = Number(text);
  if (!/^\d+$/.test(text) || ms < 1) throw new InvalidArgumentError('a timeout is a whole number of milliseconds, at least 1');
  return ms;
}

/** `--after 12,13`: the ids of the jobs it waits for. */
function parseAfter(text: string): number[] {
  const ids = text.split(',').map((part) => part.trim());
  if (ids.some((id) => !/^[1-9]\d*$/.test(id) || !Number.isSafeInteger(Number(id)))) {
    throw new InvalidArgumentError('--after takes job ids separated by commas, e.g. --after 12,13');
  }
  return ids.map(Number);
}

export function parsePriority(text: string): number {
  const priority = Number(text);
  if (!/^-?\d+$/.test(text) || priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
    throw new InvalidArgumentError(`a priority is a whole number from ${MIN_PRIORITY} to ${MAX_PRIORITY}; lower runs first`);
  }
  return priority;
}

/**
 * Follows a job's events to its end, showing progress; prints and returns the result, or exits 1
 * when it failed. `status`: the one it was added in (a job added after a failed one may end at once).
 */
async function waitForJob(service: ServiceClient, id: number, events: JobEventStream, status: string): Promise<unknown> {
  const bar = new ProgressBar();
  let blocked = status === 'blocked';
  try {
    for await (const event of FINAL_STATUSES.has(status) ? [] : events) {
      if (event.jobId !== id) {
        // A blocked job that its parent's failure cancels gets no event of its own: look again.
        if (blocked && (event.type === 'failed' || event.type === 'cancelled')) {
          const now = (await service.job(id)).status;
          if (FINAL_STATUSES.has(now)) break;
          blocked = now === 'blocked';
        }
        continue;
      }
      if (event.type === 'progress' && event.progress !== undefined) bar.update(event.progress, event.message);
      if (FINAL_EVENTS.has(event.type)) break;
    }
  } finally {
    events.close();
    bar.done();
  }
  const job = await service.job(id);
  if (job.status === 'completed') {
    printJson(job.result);
    return job.result;
  }
  if (job.status === 'error') throw new CliError(`job ${id} failed: ${job.error}`, EXIT.JOB_FAILED);
  if (job.status === 'cancelled') throw new CliError(`job ${id} was cancelled`, EXIT.JOB_FAILED);
  throw new CliError(`the event stream ended while job ${id} is ${job.status}: the server went away?`);
}

/** Uploads `path` (files plugin) for `--upload`; returns the file's id. */
async function upload(client: RemotetaskClient, path: string): Promise<string> {
  try {
    if (!(await stat(path)).isFile()) throw new Error('not a file');
  } catch (error) {
    throw new CliError(`--upload ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  return (await client.uploadFile(await openAsBlob(path), basename(path))).id;
}

/** Downloads the file a result names (its `url`, as video-convert's results have) to `path`, for `--output`. */
async function download(client: RemotetaskClient, result: unknown, path: string): Promise<void> {
  const url = (result as { url?: unknown } | null)?.url;
  if (typeof url !== 'string' || !url.startsWith('/api/files/')) {
    throw new CliError('--output: the job\'s result names no file to download (no "url" of /api/files/…)');
  }
  const response = await client.downloadFile(url);
  const partial = `${path}.part`;
  try {
    await pipeline(Readable.fromWeb(response.body! as WebReadableStream), createWriteStream(partial));
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw new CliError(`--output ${path}: ${(error as Error).message}`);
  }
  process.stderr.write(`saved ${path}\n`);
}

export function registerAdd(program: Command): void {
  withClientOptions(
    program
      .command('add')
      .description('add a job; prints its id, or with --wait follows it and prints its result')
      .argument('<task>', 'the task to run')
      .argument('[json]', 'the job\'s input as JSON (default null)')
      .option('--start-later', 'add it in "start later"; start it with the API or XML-RPC startJob')
      .option('--timeout <ms>', 'a time limit for each run of this job, in milliseconds', parseTimeout)
      .option('--priority <n>', 'lower runs first, 0 by default (-32768 to 32767)', parsePriority)
      .option('--queue <name>', 'a serial queue: its jobs run one at a time, in the order added, across every worker')
      .option('--key <key>', 'unique within the service while the job holds it: when taken, prints the id of the job holding it')
      .option('--key-scope <scope>', 'how long the key holds: waiting (default), running, finished')
      .option('--key-period <seconds>', 'with --key-scope finished: seconds after the job ended that its key stays taken', Number)
      .option('--replace', 'when the key is taken, give the waiting job holding it this input')
      .option('--after <ids>', 'wait for these jobs (ids separated by commas): run once all of them completed', parseAfter)
      .option('--run-anyway', 'with --after: run even when one of them failed or was cancelled (default: be cancelled too)')
      .option('-w, --wait', 'wait for the job to end, showing its progress on stderr; exit 1 when it fails or is cancelled')
      .option('--upload <file>', 'upload the file first (files plugin) and put its id in the input as "file"')
      .option('--to <format>', 'put this in the input as "to" (video-convert\'s target format)')
      .option('-o, --output <file>', 'wait, then download the file the result names (its "url") to this path'),
  ).action(async (task: string, json: string | undefined, options: ClientOptions & AddOptions) => {
    let input = parseJsonArgument(json);
    const client = await clientFor(options);
    if (options.upload !== undefined || options.to !== undefined) {
      if (input !== null && (typeof input !== 'object' || Array.isArray(input))) {
        throw new CliError('--upload and --to add fields to the input: give the input as a JSON object');
      }
      input = {
        ...(input as Record<string, unknown> | null),
        ...(options.upload === undefined ? {} : { file: await upload(client, options.upload) }),
        ...(options.to === undefined ? {} : { to: options.to }),
      };
    }
    if (options.output !== undefined) options.wait = true;
    const service = client.service(options.service);
    // Subscribe before adding, so no event of the new job can slip by. When the stream drops (it
    // reconnects) or the server cannot replay what it missed, the job itself is read: ended, the
    // wait is over, so --wait returns whatever happens to the stream.
    let followed: number | undefined;
    let events: JobEventStream | undefined;
    const recheck = () => {
      if (followed === undefined) return;
      service.job(followed).then((job) => FINAL_STATUSES.has(job.status) && events?.close(), () => undefined);
    };
    events = options.wait ? await service.events({ reconnect: true, onResync: recheck }) : undefined;
    try {
      const { id, status } = await service.add(task, input, {
        startLater: options.startLater, timeout: options.timeout, priority: options.priority, queue: options.queue,
        key: options.key, keyScope: options.keyScope, keyPeriod: options.keyPeriod, onKeyTaken: options.replace ? 'replace' : undefined,
        after: options.after, onParentFailure: options.runAnyway ? 'run' : undefined,
      });
      if (!events) return printLine(String(id));
      followed = id;
      const result = await waitForJob(service, id, events, status);
      if (options.output !== undefined) await download(client, result, options.output);
    } finally {
      events?.close();
    }
  });
}
