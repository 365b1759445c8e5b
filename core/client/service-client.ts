import type {
  JobAttemptJson,
  JobCreatedJson,
  JobJson,
  JobListQuery,
  JobPageJson,
  JobStatus,
  ScheduleJson,
  TaskJson,
} from './api-types.js';
export type { JobEventStream } from './job-event-stream.js';
import { type JobEventStream, type JobEventStreamOptions, openJobEventStream } from './job-event-stream.js';
import type { ApiRequester } from './api-requester.js';
import type { BatchAddedJson, BatchJobJson, BatchJson, DependenciesJson, FlowAddedJson, FlowJobJson } from './flow-types.js';

/** The routes of one task service, one method per route. */
export class ServiceClient {
  readonly #base: string;

  constructor(
    private readonly client: ApiRequester,
    readonly address: string,
  ) {
    this.#base = `/api/services/${encodeURIComponent(address)}`;
  }

  /** `GET …/tasks`: the tasks the service can run. */
  async tasks(): Promise<TaskJson[]> {
    return (await this.client.request<{ tasks: TaskJson[] }>(`${this.#base}/tasks`)).tasks;
  }

  /** `POST …/jobs`: adds a job; returns its id and status. */
  /** With `key`: a job holding the key is answered instead (`outcome: 'existing'` or `'replaced'`). */
  /** With `after`: the job waits for those jobs (see addFlow). */
  add(
    task: string,
    input: unknown = null,
    options: { startLater?: boolean; timeout?: number; priority?: number; queue?: string; after?: number[]; onParentFailure?: 'cancel' | 'run' } & KeyOptionsJson = {},
  ): Promise<JobCreatedJson> {
    return this.client.request(`${this.#base}/jobs`, {
      method: 'POST',
      body: {
        task,
        input,
        ...(options.startLater ? { startLater: true } : {}),
        ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
        ...(options.priority === undefined ? {} : { priority: options.priority }),
        ...(options.queue === undefined ? {} : { queue: options.queue }),
        ...(options.after === undefined ? {} : { after: options.after }),
        ...(options.onParentFailure === undefined ? {} : { onParentFailure: options.onParentFailure }),
        ...keyOptionsOf(options),
      },
    });
  }

  /** `POST …/cronjobs`: adds a cron job (field lists, or cron + tz) or a delayed job (delay). */
  addCronJob(task: string, input: unknown, schedule: ScheduleJson, options: { priority?: number } & KeyOptionsJson = {}): Promise<JobCreatedJson> {
    return this.client.request(`${this.#base}/cronjobs`, { method: 'POST', body: { task, input, ...schedule, ...options } });
  }

  /** `POST …/flows`: jobs that wait for each other, each listed after those it waits for (by id or by `name`). */
  addFlow(jobs: FlowJobJson[]): Promise<FlowAddedJson> {
    return this.client.request(`${this.#base}/flows`, { method: 'POST', body: { jobs } });
  }

  /** `POST …/batches`: jobs and a callback that runs once after all of them ended. */
  addBatch(jobs: BatchJobJson[], callback: BatchJobJson): Promise<BatchAddedJson> {
    return this.client.request(`${this.#base}/batches`, { method: 'POST', body: { jobs, callback } });
  }

  /** `GET …/batches/{id}`: how far the batch is. */
  batch(id: number): Promise<BatchJson> {
    return this.client.request(`${this.#base}/batches/${id}`);
  }

  /** `GET …/jobs/{id}/dependencies`: the jobs it waits for, and those that wait for it. */
  dependencies(id: number): Promise<DependenciesJson> {
    return this.client.request(`${this.#base}/jobs/${id}/dependencies`);
  }

  /** `PUT …/jobs/{id}/priority`: changes a waiting job's priority (lower runs first); returns the job. */
  setPriority(id: number, priority: number): Promise<JobJson> {
    return this.client.request(`${this.#base}/jobs/${id}/priority`, { method: 'PUT', body: { priority } });
  }

  /** `GET …/jobs`: a page of jobs; pass `nextCursor` back as `cursor` for the next. */
  jobs(query: JobListQuery = {}): Promise<JobPageJson> {
    const { status, ...rest } = query;
    return this.client.request(`${this.#base}/jobs`, {
      query: { ...rest, status: status === undefined ? undefined : ([] as JobStatus[]).concat(status) },
    });
  }

  /** `GET …/jobs/{id}`. */
  job(id: number): Promise<JobJson> {
    return this.client.request(`${this.#base}/jobs/${id}`);
  }

  /** `POST …/jobs/{id}/cancel`: returns the status after the call. */
  cancel(id: number): Promise<JobCreatedJson> {
    return this.client.request(`${this.#base}/jobs/${id}/cancel`, { method: 'POST' });
  }

  /** `POST …/jobs/{id}/start`: queues a job added with startLater. */
  start(id: number): Promise<JobCreatedJson> {
    return this.client.request(`${this.#base}/jobs/${id}/start`, { method: 'POST' });
  }

  /** `PATCH …/jobs/{id}`: gives a cron or delayed job a new schedule. */
  updateSchedule(id: number, schedule: ScheduleJson): Promise<JobJson> {
    return this.client.request(`${this.#base}/jobs/${id}`, { method: 'PATCH', body: schedule });
  }

  /** `POST …/jobs/cancel-all`: returns how many jobs were cancelled. */
  async cancelAll(): Promise<number> {
    return (await this.client.request<{ cancelled: number }>(`${this.#base}/jobs/cancel-all`, { method: 'POST' })).cancelled;
  }

  /** `GET …/jobs/{id}/attempts`: the job's runs that ended, newest first, with errors and stacks. */
  async attempts(id: number): Promise<JobAttemptJson[]> {
    return (await this.client.request<{ attempts: JobAttemptJson[] }>(`${this.#base}/jobs/${id}/attempts`)).attempts;
  }

  /** `POST …/jobs/{id}/retry`: puts a failed or cancelled job back in the queue; returns its status after. */
  retry(id: number): Promise<JobCreatedJson> {
    return this.client.request(`${this.#base}/jobs/${id}/retry`, { method: 'POST' });
  }

  /** `POST …/jobs/retry-all`: retries the failed jobs (or those in `status`), of `task` when given; returns how many. */
  async retryAll(filter: { status?: ('error' | 'cancelled')[]; task?: string } = {}): Promise<number> {
    return (await this.client.request<{ retried: number }>(`${this.#base}/jobs/retry-all`, { method: 'POST', body: filter })).retried;
  }

  /** `DELETE …/jobs`: removes finished jobs (all three final statuses by default); returns how many. */
  async clean(statuses?: JobStatus[]): Promise<number> {
    return (await this.client.request<{ removed: number }>(`${this.#base}/jobs`, { method: 'DELETE', query: { status: statuses } })).removed;
  }

  /** `POST …/pause` or `…/resume`: pauses or resumes the service for every process (stored). */
  setPausedEverywhere(paused: boolean): Promise<{ paused: boolean; since: string | null }> {
    return this.client.request(`${this.#base}/${paused ? 'pause' : 'resume'}`, { method: 'POST' });
  }

  /** `POST …/processing` with `start` or `stop`: the web server's own processor only; returns whether it processes now. */
  async setProcessing(action: 'start' | 'stop'): Promise<boolean> {
    return (await this.client.request<{ processing: boolean }>(`${this.#base}/processing`, { method: 'POST', body: { action } })).processing;
  }

  /**
   * `GET …/events`: the service's job events (or one job's). Resolves once the server has
   * subscribed, so nothing that happens afterwards is missed.
   */
  events(options: JobEventStreamOptions = {}): Promise<JobEventStream> {
    return openJobEventStream(this.client, `${this.#base}/events`, options);
  }
}

/** How a job is made unique (see the REST API's `key`). */
export interface KeyOptionsJson {
  key?: string;
  keyScope?: 'waiting' | 'running' | 'finished';
  keyPeriod?: number;
  onKeyTaken?: 'keep' | 'replace';
}

function keyOptionsOf(options: KeyOptionsJson): KeyOptionsJson {
  const { key, keyScope, keyPeriod, onKeyTaken } = options;
  return Object.fromEntries(Object.entries({ key, keyScope, keyPeriod, onKeyTaken }).filter(([, value]) => value !== undefined));
}
