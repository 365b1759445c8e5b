import type { EventRelay, EventRelayListener } from '../job-store.js';
import type { Queries } from './connection.js';
import { EVENTS_CHANNEL } from './channels.js';

/** NOTIFY payloads must stay below 8000 bytes; a little is kept for the channel name and framing. */
export const MAX_EVENT_PAYLOAD_BYTES = 7_900;
/** Longer errors and messages travel cut (the event says `truncated`); the job holds them whole. */
const MAX_TEXT_CHARS = 1_000;
/** Sent in place of an event too large for any payload: receivers resync from the store. */
export const RESYNC_PAYLOAD = 'resync';

/**
 * Job events between the processes of one database, over NOTIFY on {@link EVENTS_CHANNEL}. Events
 * published in one turn of the event loop go out as one statement (one NOTIFY per payload of up to
 * {@link MAX_EVENT_PAYLOAD_BYTES}, each a JSON array, runs of alike events as groups: see
 * {@link grouped}); while one statement is on its way, later
 * events wait and go together in the next, so there is at most one in flight, and every process
 * receives this one's events in the order they happened. `added` events are not
 * sent from here: the insert statement announces them (notify.ts), delivered when it commits, one
 * event for many jobs (`jobIds`), which {@link received} expands into one per job.
 */
export class PostgresEventRelay implements EventRelay {
  readonly #listeners = new Set<EventRelayListener>();
  #pending: object[] = [];
  /** The statement on its way: events published meanwhile wait and go together in the next one. */
  #sending: Promise<void> | undefined;
  #scheduled = false;
  #closed = false;

  constructor(
    private readonly queries: () => Queries | undefined,
    private readonly onError: (error: unknown) => void,
  ) {}

  publish(event: object): void {
    // The insert statement announced its jobs itself (announceAdded): before any claim's events.
    if (this.#closed || (event as { type?: unknown }).type === 'added') return;
    this.#pending.push(event);
    if (this.#scheduled || this.#sending) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    if (this.#sending || this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#sending = this.#send(batch).finally(() => {
      this.#sending = undefined;
      this.#flush();
    });
  }

  subscribe(listener: EventRelayListener): () => void {
    const entry = { ...listener };
    this.#listeners.add(entry);
    return () => void this.#listeners.delete(entry);
  }

  /** A NOTIFY payload from another process. */
  received(payload: string): void {
    // A worker that nobody watches does not even read the fleet's events.
    if (![...this.#listeners].some((listener) => listener.wanted())) return;
    let events: unknown;
    try {
      events = JSON.parse(payload);
    } catch {
      return;
    }
    if (!Array.isArray(events)) return;
    // Runs of events between the resync markers, in order.
    let run: unknown[] = [];
    const flush = () => {
      if (run.length > 0) for (const listener of this.#listeners) listener.events(run);
      run = [];
    };
    for (const event of events) {
      if (event === RESYNC_PAYLOAD) {
        flush();
        this.lost();
      } else if (isAddedGroup(event)) {
        const { jobIds, ...added } = event;
        for (const jobId of jobIds) run.push({ ...added, jobId });
      } else if (isRunGroup(event)) {
        const { jobIds, times, ...shared } = event;
        for (let i = 0; i < jobIds.length; i++) run.push({ ...shared, jobId: jobIds[i], time: times[i] });
      } else run.push(event);
    }
    flush();
  }

  /** Events may have been missed (the LISTEN connection was lost and is back). */
  lost(): void {
    for (const listener of this.#listeners) listener.lost();
  }

  /** Publishes again after a close (the store was opened again). */
  open(): void {
    this.#closed = false;
  }

  /** Sends what is published so far, then publishes nothing more until opened again. */
  async close(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#sending) await this.#sending;
    this.#closed = true;
  }

  async #send(events: object[]): Promise<void> {
    const queries = this.queries();
    if (!queries || events.length === 0) return;
    try {
      // One text, the payloads separated by RS (0x1E), which JSON text never holds raw: a text[]
      // parameter would have every quote of the JSON escaped, and that was most of the relay's CPU.
      await queries.query({
        name: 'remotetask-events',
        text: `SELECT pg_notify('${EVENTS_CHANNEL}', p) FROM unnest(string_to_array($1, E'\\x1e')) p`,
        values: [payloads(grouped(events)).join(PAYLOAD_SEPARATOR)],
      });
    } catch (error) {
      this.onError(error);
    }
  }
}

const PAYLOAD_SEPARATOR = '\x1e';

/** The fields of the events a run makes by the thousand (started, completed): only jobId and time differ between them. */
const RUN_EVENT_FIELDS = new Set(['type', 'service', 'jobId', 'task', 'status', 'time']);
/** Jobs per run group: at most 32 bytes each (id and time), so a group stays within one payload. */
const RUN_GROUP_MAX = 150;

/**
 * The events as JSON texts, in order, each run of consecutive events that differ only in jobId
 * and time (a claim's `started`, a finish's `completed`) as one group: `{type, service, task,
 * status, jobIds, times}`, a quarter of the bytes, expanded again by {@link PostgresEventRelay.received}.
 * Only consecutive ones: merging events further apart could put a job's `completed` before its `started`.
 */
export function grouped(events: object[]): string[] {
  const out: string[] = [];
  let group: { type: string; service: string; task: string; status: string; jobIds: number[]; times: number[] } | undefined;
  const close = () => {
    if (!group) return;
    out.push(group.jobIds.length === 1
      ? JSON.stringify({ type: group.type, service: group.service, jobId: group.jobIds[0], task: group.task, status: group.status, time: group.times[0] })
      : JSON.stringify(group));
    group = undefined;
  };
  for (const event of events) {
    const e = event as Record<string, unknown>;
    if (!isRunEvent(e)) {
      close();
      out.push(fitted(event));
      continue;
    }
    if (group && (group.type !== e.type || group.service !== e.service || group.task !== e.task || group.status !== e.status || group.jobIds.length >= RUN_GROUP_MAX)) close();
    // Names longer than a payload allows go alone, through fitted().
    if (!group && e.service.length + e.task.length > 1_000) {
      out.push(fitted(event));
      continue;
    }
    group ??= { type: e.type, service: e.service, task: e.task, status: e.status, jobIds: [], times: [] };
    group.jobIds.push(e.jobId);
    group.times.push(e.time);
  }
  close();
  return out;
}

function isRunEvent(e: Record<string, unknown>): e is { type: string; service: string; jobId: number; task: string; status: string; time: number } {
  for (const key in e) if (!RUN_EVENT_FIELDS.has(key)) return false;
  return typeof e.type === 'string' && typeof e.service === 'string' && typeof e.task === 'string' && typeof e.status === 'string' &&
    Number.isSafeInteger(e.jobId) && typeof e.time === 'number';
}

/** A run group (see grouped()). */
function isRunGroup(value: unknown): value is { jobIds: number[]; times: number[] } & Record<string, unknown> {
  const event = value as { type?: unknown; jobIds?: unknown; times?: unknown } | null;
  return (
    typeof event === 'object' && event !== null && typeof event.type === 'string' && event.type !== 'added' &&
    Array.isArray(event.jobIds) && Array.isArray(event.times) && event.jobIds.length === event.times.length &&
    event.jobIds.every((id) => Number.isSafeInteger(id)) && event.times.every((time) => typeof time === 'number')
  );
}

/** The events' JSON texts joined into arrays of at most the payload limit, in order. */
export function payloads(events: string[]): string[] {
  const out: string[] = [];
  let current: string[] = [];
  let bytes = 2;
  for (const event of events) {
    const size = Buffer.byteLength(event) + 1;
    if (current.length > 0 && bytes + size > MAX_EVENT_PAYLOAD_BYTES) {
      out.push(`[${current.join(',')}]`);
      current = [];
      bytes = 2;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) out.push(`[${current.join(',')}]`);
  return out;
}

/**
 * The event's JSON, its long texts cut so that it fits a payload. One that still does not fit
 * (names of many kilobytes) becomes the resync marker: no receiver gets a made-up event.
 */
function fitted(event: object): string {
  let text = JSON.stringify(event);
  if (Buffer.byteLength(text) + 2 <= MAX_EVENT_PAYLOAD_BYTES) return text;
  const cut: Record<string, unknown> = { ...event, truncated: true };
  for (const field of ['error', 'message']) {
    if (typeof cut[field] === 'string') cut[field] = (cut[field] as string).slice(0, MAX_TEXT_CHARS);
  }
  text = JSON.stringify(cut);
  return Buffer.byteLength(text) + 2 <= MAX_EVENT_PAYLOAD_BYTES ? text : JSON.stringify(RESYNC_PAYLOAD);
}

/** An insert's announcement of many jobs: one `added` event with their ids (see notify.ts). */
function isAddedGroup(value: unknown): value is { type: 'added'; jobIds: number[] } & Record<string, unknown> {
  const event = value as { type?: unknown; jobIds?: unknown } | null;
  return (
    typeof event === 'object' && event !== null && event.type === 'added' &&
    Array.isArray(event.jobIds) && event.jobIds.every((id) => Number.isSafeInteger(id))
  );
}
