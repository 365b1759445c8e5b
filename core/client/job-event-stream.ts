import type { JobEventJson } from './api-types.js';
import type { ApiRequester } from './api-requester.js';
import { readServerSentEvents } from './read-server-sent-events.js';

/** A stream of job events: iterate it with `for await`; `close()` (or leaving the loop) ends it. */
export interface JobEventStream extends AsyncIterable<JobEventJson> {
  close(): void;
  /** The id of the last event received: give it as `lastEventId` to pick up where this stream left off. */
  readonly lastEventId: string | undefined;
}

export interface JobEventStreamOptions {
  job?: number;
  signal?: AbortSignal;
  /** Start after this event (an id of an earlier stream of the same server): the events missed since come first. */
  lastEventId?: string;
  /**
   * When the stream drops, connect again with `Last-Event-ID`, so nothing is missed nor seen twice
   * (within the server's window, else `onResync` is called). Default false: the iteration ends.
   */
  reconnect?: boolean;
  /**
   * The server cannot say what this stream missed (`resync`: too long away, or it lost events of
   * other processes), or the stream dropped and is being reconnected: read the jobs you follow.
   */
  onResync?: (reason: string) => void;
}

const RECONNECT_FIRST_DELAY_MS = 250;
const RECONNECT_MAX_DELAY_MS = 5_000;

/** Opens `path` as an event stream; resolves once the server has subscribed (its response came). */
export async function openJobEventStream(client: ApiRequester, path: string, options: JobEventStreamOptions): Promise<JobEventStream> {
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let lastEventId = options.lastEventId;
  const connect = () =>
    client.request(path, {
      query: { job: options.job },
      signal: controller.signal,
      expect: 'response',
      ...(lastEventId === undefined ? {} : { headers: { 'last-event-id': lastEventId } }),
    });
  let response: Response | undefined = await connect();
  const close = () => {
    options.signal?.removeEventListener('abort', onAbort);
    controller.abort();
  };
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      controller.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  return {
    close,
    get lastEventId() {
      return lastEventId;
    },
    async *[Symbol.asyncIterator]() {
      let delay = RECONNECT_FIRST_DELAY_MS;
      try {
        for (;;) {
          try {
            response ??= await connect();
            delay = RECONNECT_FIRST_DELAY_MS;
            for await (const event of readServerSentEvents(response.body!)) {
              if (event.id !== undefined) lastEventId = event.id;
              if (event.event === 'resync') {
                options.onResync?.((JSON.parse(event.data) as { reason?: string }).reason ?? 'resync');
                continue;
              }
              yield JSON.parse(event.data) as JobEventJson;
            }
          } catch (error) {
            // Closing aborts the read: that is the stream's normal end, not an error.
            if (controller.signal.aborted) return;
            if (!options.reconnect) throw error;
          }
          response = undefined;
          if (!options.reconnect || controller.signal.aborted) return;
          options.onResync?.('the event stream dropped; reconnecting');
          await wait(delay);
          delay = Math.min(delay * 2, RECONNECT_MAX_DELAY_MS);
          if (controller.signal.aborted) return;
        }
      } finally {
        close();
      }
    },
  };
}
