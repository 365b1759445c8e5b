import type {
  JobCreatedJson,
  JobEventJson,
  JobJson,
  JobListQuery,
  JobPageJson,
  JobStatus,
  ScheduleJson,
  TaskJson,
} from './api-types.js';
import { readServerSentEvents } from './read-server-sent-events.js';
import type { ApiRequester } from './api-requester.js';

/** A stream of job events: iterate it with `for await`; `close()` (or leaving the loop) ends it. */
export interface JobEventStream extends AsyncIterable<JobEventJson> {
  close(): void;
}

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
  add(task: string, input: unknown = null, options: { startLater?: boolean; timeout?: number; priority?: number } & KeyOptionsJson = {}): Promise<JobCreatedJson> {
    return this.client.request(`${this.#base}/jobs`, {
      method: 'POST',
      body: {
        task,
        input,
        ...(options.startLater ? { startLater: true } : {}),
        ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
        ...(options.priority === undefined ? {} : { priority: options.priority }),
        ...keyOptionsOf(options),
      },
    });
  }

  /** `POST …/cronjobs`: adds a cron job (field lists, or cron + tz) or a delayed job (delay). */
  addCronJob(task: string, input: unknown, schedule: ScheduleJson, options: { priority?: number } & KeyOptionsJson = {}): Promise<JobCreatedJson> {
    return this.client.request(`${this.#base}/cronjobs`, { method: 'POST', body: { task, input, ...schedule, ...options } });
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

  /** `DELETE …/jobs`: removes finished jobs (all three final statuses by default); returns how many. */
  async clean(statuses?: JobStatus[]): Promise<number> {
    return (await this.client.request<{ removed: number }>(`${this.#base}/jobs`, { method: 'DELETE', query: { status: statuses } })).removed;
  }

  /** `POST …/processing` with `start` or `stop`; returns whether the service processes now. */
  async setProcessing(action: 'start' | 'stop'): Promise<boolean> {
    return (await this.client.request<{ processing: boolean }>(`${this.#base}/processing`, { method: 'POST', body: { action } })).processing;
  }

  /**
   * `GET …/events`: the service's job events (or one job's). Resolves once the server has
   * subscribed, so nothing that happens afterwards is missed.
   */
  async events(options: { job?: number; signal?: AbortSignal } = {}): Promise<JobEventStream> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const response = await this.client.request(`${this.#base}/events`, {
      query: { job: options.job },
      signal: controller.signal,
      expect: 'response',
    });
    const close = () => {
      options.signal?.removeEventListener('abort', onAbort);
      controller.abort();
    };
    return {
      close,
      async *[Symbol.asyncIterator]() {
        try {
          for await (const event of readServerSentEvents(response.body!)) {
            yield JSON.parse(event.data) as JobEventJson;
          }
        } catch (error) {
          // Closing aborts the read: that is the stream's normal end, not an error.
          if (!controller.signal.aborted) throw error;
        } finally {
          close();
        }
      },
    };
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
