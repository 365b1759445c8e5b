import { readServerSentEvents } from 'remotetask/client';
import type { Logger } from 'winston';
import type { AnnouncedTask, HelloAnswer } from '../protocol.js';

export interface AgentConnectionOptions {
  /** The web service, `http://host:port`. */
  server: string;
  token?: string;
  /** The service address whose jobs it runs, `site@Service`. */
  service: string;
  /** The agent's name for itself: kept across reconnects, so its leases survive them. */
  agent: string;
  logger: Logger;
}

const MAX_BACKOFF_MS = 5_000;

/** An answer of the server that is not a success, with its error code. */
export class AgentHttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/**
 * An agent's line to the server: JSON requests with its token (saying hello again when the server
 * forgot it, after a restart), and the event stream of wake-ups and cancel requests, reopened with
 * backoff while the server is away.
 */
export class AgentConnection {
  readonly #options: AgentConnectionOptions;
  readonly #base: string;
  #tasks: AnnouncedTask[] = [];
  #events?: AbortController;
  #closed = false;
  leaseMs = 30_000;
  readonly wakeListeners = new Set<() => void>();
  readonly cancelListeners = new Set<(id: number) => void>();

  constructor(options: AgentConnectionOptions) {
    this.#options = options;
    this.#base = `${options.server.replace(/\/+$/, '')}/api/services/${encodeURIComponent(options.service)}/agents/${encodeURIComponent(options.agent)}`;
  }

  /** Announces the tasks; retried with backoff until the server answers (it may not be up yet). */
  async hello(tasks: AnnouncedTask[]): Promise<HelloAnswer> {
    this.#tasks = tasks;
    for (let backoff = 100; ; backoff = Math.min(MAX_BACKOFF_MS, backoff * 2)) {
      try {
        const answer = (await this.#send('POST', '', { tasks })) as HelloAnswer;
        this.leaseMs = answer.leaseMs;
        return answer;
      } catch (error) {
        if (error instanceof AgentHttpError && error.status < 500) throw error;
        if (this.#closed) throw error;
        this.#options.logger.warn(`the server at ${this.#options.server} does not answer (${(error as Error).message}); trying again in ${backoff} ms`);
        await delay(backoff);
      }
    }
  }

  /** A request of the protocol; a server that forgot the agent (restarted) is greeted again first. */
  async call<T>(path: string, body: unknown): Promise<T> {
    try {
      return (await this.#send('POST', path, body)) as T;
    } catch (error) {
      if (!(error instanceof AgentHttpError && error.code === 'agent_unknown')) throw error;
      await this.#send('POST', '', { tasks: this.#tasks });
      return (await this.#send('POST', path, body)) as T;
    }
  }

  /**
   * A request whose body or answer is not JSON (a file's bytes): `init` makes it afresh, for the
   * repeat after a hello when the server forgot the agent. A failure answer throws AgentHttpError.
   */
  async fetch(path: string, init: () => RequestInit): Promise<Response> {
    const once = async () => {
      const made = init();
      const response = await fetch(this.#base + path, { ...made, headers: { ...this.#auth(), ...(made.headers as Record<string, string>) } });
      if (response.ok) return response;
      const text = await response.text();
      let error: { code?: string; message?: string } | undefined;
      try {
        error = (JSON.parse(text) as { error?: typeof error }).error;
      } catch {
        // Not JSON: the text is the message.
      }
      throw new AgentHttpError(response.status, error?.code ?? 'http_error', `${made.method ?? 'GET'} ${path}: ${response.status} ${error?.message ?? text}`);
    };
    try {
      return await once();
    } catch (error) {
      if (!(error instanceof AgentHttpError && error.code === 'agent_unknown')) throw error;
      await this.#send('POST', '', { tasks: this.#tasks });
      return once();
    }
  }

  async #send(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(this.#base + path, {
      method,
      headers: { ...this.#auth(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 204) return undefined;
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as { error?: { code: string; message: string } }) : undefined;
    if (!response.ok) {
      throw new AgentHttpError(response.status, parsed?.error?.code ?? 'http_error', `${method} ${path || '/'}: ${response.status} ${parsed?.error?.message ?? text}`);
    }
    return parsed;
  }

  #auth(): Record<string, string> {
    return this.#options.token ? { authorization: `Bearer ${this.#options.token}` } : {};
  }

  /** Keeps the event stream open until close(): wake-ups and cancel requests go to the listeners. */
  async listen(): Promise<void> {
    let backoff = 100;
    while (!this.#closed) {
      this.#events = new AbortController();
      try {
        const response = await fetch(`${this.#base}/events`, { headers: this.#auth(), signal: this.#events.signal });
        if (response.status === 409) {
          await this.#send('POST', '', { tasks: this.#tasks });
          continue;
        }
        if (!response.ok || !response.body) throw new Error(`the event stream answered ${response.status}`);
        backoff = 100;
        for await (const event of readServerSentEvents(response.body)) {
          if (event.event === 'wake') for (const listener of this.wakeListeners) listener();
          else if (event.event === 'cancel') {
            const { id } = JSON.parse(event.data) as { id: number };
            for (const listener of this.cancelListeners) listener(id);
          }
        }
      } catch (error) {
        if (this.#closed) return;
        this.#options.logger.warn(`event stream from ${this.#options.server} lost (${(error as Error).message}); reconnecting in ${backoff} ms`);
      }
      if (this.#closed) return;
      await delay(backoff);
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    }
  }

  /** Closes the event stream and says goodbye (best effort). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#events?.abort();
    await this.#send('DELETE', '').catch(() => undefined);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
