import pg from 'pg';
import { CONNECT_TIMEOUT_MS } from './connection.js';
import { CANCEL_CHANNEL, CONTROL_CHANNEL, EVENTS_CHANNEL, FLOW_CHANNEL, RELEASED_CHANNEL, WAKE_CHANNEL } from './channels.js';


const LISTENER_APPLICATION_NAME = 'remotetask listener';
const RECONNECT_FIRST_DELAY_MS = 100;
const RECONNECT_MAX_DELAY_MS = 10_000;

export interface ListenerEvents {
  /** Notifications sent from these backends were dispatched locally already. */
  ownBackendPids: ReadonlySet<number>;
  wake(service: string): void;
  cancelRequested(id: number, service: string): void;
  jobEvents(payload: string): void;
  /** A blocked job released or cancelled by its parents' end, as the trigger announced it (any process's, ours too). */
  flowChanged(payload: string): void;
  /** A service was paused or resumed (by any process: our own changes come back too). */
  controlChanged(service: string): void;
  /** The connection came back after it was lost: notifications sent meanwhile are gone. */
  reconnected(): void;
}

/**
 * The LISTEN connection of a store: one client outside the pool, kept open, reconnected with a
 * growing delay when it is lost. Its notifications reach the store through `events`.
 */
export class PostgresListener {
  private client: pg.Client | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelayMs = RECONNECT_FIRST_DELAY_MS;
  private closing = false;

  constructor(
    private readonly url: string,
    private readonly events: ListenerEvents,
  ) {}

  async open(): Promise<void> {
    this.closing = false;
    await this.connect();
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: LISTENER_APPLICATION_NAME,
      // It sits idle for hours: keepalive is how a silently dropped connection gets noticed.
      keepAlive: true,
    });
    client.on('notification', (message) => {
      if (message.payload === undefined) return;
      if (message.channel === CONTROL_CHANNEL) return this.events.controlChanged(message.payload);
      // Sent by the trigger that released a parent's children, in our own transactions too.
      if (message.channel === RELEASED_CHANNEL) return this.events.wake(message.payload);
      if (message.channel === FLOW_CHANNEL) return this.events.flowChanged(message.payload);
      // Our own writes were dispatched locally when they returned; their echo is for the others.
      if (this.events.ownBackendPids.has(message.processId)) return;
      if (message.channel === WAKE_CHANNEL) this.events.wake(message.payload);
      else if (message.channel === CANCEL_CHANNEL) {
        const job = parseCancelPayload(message.payload);
        if (job) this.events.cancelRequested(job.id, job.service);
      } else if (message.channel === EVENTS_CHANNEL) this.events.jobEvents(message.payload);
    });
    const lost = () => this.lost(client);
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
      await client.query(`LISTEN ${WAKE_CHANNEL}; LISTEN ${CANCEL_CHANNEL}; LISTEN ${EVENTS_CHANNEL}; LISTEN ${CONTROL_CHANNEL}; LISTEN ${RELEASED_CHANNEL}; LISTEN ${FLOW_CHANNEL}`);
    } catch (error) {
      client.removeListener('end', lost);
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closing) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closing || this.reconnectTimer) return;
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(delay * 2, RECONNECT_MAX_DELAY_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().then(
        () => {
          if (this.closing) return;
          this.reconnectDelayMs = RECONNECT_FIRST_DELAY_MS;
          this.events.reconnected();
        },
        () => this.scheduleReconnect(),
      );
    }, delay);
    this.reconnectTimer.unref();
  }
}

/** The `{id, service}` of a cancel NOTIFY, or undefined for a payload this store did not send. */
function parseCancelPayload(payload: string): { id: number; service: string } | undefined {
  try {
    const parsed = JSON.parse(payload) as { id?: unknown; service?: unknown } | null;
    if (parsed && Number.isSafeInteger(parsed.id) && typeof parsed.service === 'string') {
      return { id: parsed.id as number, service: parsed.service };
    }
  } catch {}
  return undefined;
}
