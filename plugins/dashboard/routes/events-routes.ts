import type { FastifyInstance } from 'fastify';
import type { JobEvent } from 'remotetask';
import { sseStreams } from 'remotetask/http';
import type { DashboardContext } from '../dashboard-context.js';

/** What a page learns about a changed job: enough to decide whether to fetch its row. */
export interface JobChange {
  service: string;
  id: number;
  task: string;
  status: string;
  /** Whether the job was added since the last batch (it may belong on the page now). */
  added: boolean;
}

export interface EventsRoutesOptions {
  /** How long changes are gathered into one message (ms): a burst of events is one update. */
  batchMs?: number;
  heartbeatMs?: number;
}

/**
 * `GET /events?service=<address>&job=<id>&since=<event id>`: the dashboard's live updates as Server-Sent Events,
 * behind its session (the API's event stream wants HTTP Basic, which EventSource cannot send).
 * Events are gathered for `batchMs` and sent as one `jobs` message, the latest change per job, so
 * a queue filling up fast costs the browser one update per batch, not one per job. With `since`
 * (the event id a page was rendered at), the events after it come first; when the server no longer
 * holds them, a `resync` tells the page to read what it shows again.
 */
export function registerEventsRoutes(app: FastifyInstance, dashboard: DashboardContext, options: EventsRoutesOptions = {}): void {
  const { kernel } = dashboard;
  const batchMs = options.batchMs ?? 200;
  const streams = sseStreams(app, { heartbeatMs: options.heartbeatMs ?? 15_000, cacheControl: 'no-store, no-transform' });

  app.get<{ Querystring: { service?: string; job?: string; since?: string } }>('/events', async (request, reply) => {
    const address = request.query.service || undefined;
    if (address !== undefined) kernel.getService(address);
    const jobId = request.query.job ? Number(request.query.job) : undefined;
    const stream = streams.open(reply);
    const pending = new Map<string, JobChange>();
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      if (pending.size === 0) return;
      stream.event('jobs', [...pending.values()]);
      pending.clear();
    };
    stream.onEnd(() => clearTimeout(timer));
    const gather = (event: JobEvent) => {
      if ((address !== undefined && event.service !== address) || (jobId !== undefined && event.jobId !== jobId)) return;
      const key = `${event.service} ${event.jobId}`;
      const added = (pending.get(key)?.added ?? false) || event.type === 'added';
      pending.set(key, { service: event.service, id: event.jobId, task: event.task, status: event.status, added });
      timer ??= setTimeout(flush, batchMs);
    };
    // Subscribing and replaying happen in one turn: no event falls between them.
    stream.onEnd(kernel.events.on(gather));
    // Events of other processes may have been lost: the page reads what it shows again.
    stream.onEnd(kernel.events.onResync(() => stream.event('resync', {})));
    // Says the subscription is in place: the page shows "live" from here on.
    stream.event('ready', {});
    const since = request.query.since;
    if (since === undefined || since === '') return;
    const missed = kernel.events.since(since);
    if (missed) for (const { event } of missed) gather(event);
    else stream.event('resync', {});
  });
}
