import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { JobStatus } from '../jobs/job.js';
import { EventWindow, type WindowReplay } from './event-window.js';

/** `released`: a blocked job whose parents have all ended is queued now (its flow let it go). */
export type JobEventType = 'added' | 'started' | 'progress' | 'completed' | 'failed' | 'retrying' | 'cancelled' | 'released';

/** What happened to a job, as the event stream (SSE, dashboard, CLI) reports it. */
export interface JobEvent {
  type: JobEventType;
  /** The service's address, `site@Service`. */
  service: string;
  jobId: number;
  task: string;
  status: JobStatus;
  time: number;
  progress?: number;
  message?: string;
  error?: string;
}

/** A delivered event and its id in this process's stream (`<epoch>-<sequence>`). */
export interface NumberedJobEvent {
  id: string;
  event: JobEvent;
}

/** How many events the bus keeps for streams that reconnect (`Last-Event-ID`). */
export const EVENT_WINDOW_SIZE = 10_000;

/**
 * The kernel's bus of job events; listeners filter by service themselves. Events this process made
 * go out through `emit` (and, on a shared store, to the other processes through the relay set with
 * `publishTo`); those of other processes come in through `deliver`. Each delivered event gets the
 * next id of this process's stream, and the last {@link EVENT_WINDOW_SIZE} are kept for replay.
 */
export class JobEventBus {
  readonly #emitter = new EventEmitter();
  /** Changes with each process: an id of another run of the server is never taken for one of ours. */
  readonly epoch = randomBytes(4).toString('hex');
  readonly #window: EventWindow<JobEvent>;
  #publish: ((event: JobEvent) => void) | undefined;

  constructor(windowSize = EVENT_WINDOW_SIZE) {
    // One listener per open event stream: many are normal, not a leak.
    this.#emitter.setMaxListeners(0);
    this.#window = new EventWindow(windowSize);
  }

  /** An event this process made: delivered here and published to the other processes. */
  emit(event: JobEvent): void {
    this.#hand(event, true);
    this.#emitter.emit('own', event);
    this.#publish?.(event);
  }

  /** An event from another process: numbered, kept and handed to the listeners. */
  deliver(event: JobEvent): void {
    this.#hand(event, false);
  }

  #hand(event: JobEvent, local: boolean): void {
    const sequence = this.#window.add(event);
    this.#emitter.emit('job', event, `${this.epoch}-${sequence}`, local);
  }

  /**
   * Events may have been lost (the connection that brings other processes' events dropped): a
   * stream that asks to replay from before this point is told to resync instead.
   */
  gap(): void {
    this.#window.gap();
    this.#emitter.emit('resync');
  }

  /** Where this process's events go to reach the others; undefined: nowhere (one process). */
  publishTo(publish: ((event: JobEvent) => void) | undefined): void {
    this.#publish = publish;
  }

  /**
   * Subscribes; returns the unsubscribe function. The listener gets each event's id too, and
   * whether this process made it (its own counters, such as each process's /metrics, want only those).
   */
  on(listener: (event: JobEvent, id: string, local: boolean) => void): () => void {
    this.#emitter.on('job', listener);
    return () => this.#emitter.off('job', listener);
  }

  /**
   * Subscribes to the events this process made only (its own counters); returns the unsubscribe
   * function. Unlike {@link on} it does not count as listening: the other processes' events are
   * not parsed for it.
   */
  onOwn(listener: (event: JobEvent) => void): () => void {
    this.#emitter.on('own', listener);
    return () => this.#emitter.off('own', listener);
  }

  /** Whether anything subscribed to the events (of every process: {@link onOwn} does not count). */
  listened(): boolean {
    return this.#emitter.listenerCount('job') > 0;
  }

  /** Subscribes to gaps (see {@link gap}); returns the unsubscribe function. */
  onResync(listener: () => void): () => void {
    this.#emitter.on('resync', listener);
    return () => this.#emitter.off('resync', listener);
  }

  /** The id of the last event so far: a page rendered now asks for what came after it (see {@link since}). */
  lastId(): string {
    return `${this.epoch}-${this.#window.last}`;
  }

  /**
   * The events after `lastId` that the bus still holds, or undefined when it cannot say (an id of
   * another run, older than the window, or before a gap): the caller must resync from the store.
   */
  since(lastId: string): NumberedJobEvent[] | undefined {
    const match = /^([0-9a-f]+)-(\d{1,15})$/.exec(lastId);
    if (!match || match[1] !== this.epoch) return undefined;
    const replay: WindowReplay<JobEvent> | undefined = this.#window.after(Number(match[2]));
    return replay?.map(({ sequence, item }) => ({ id: `${this.epoch}-${sequence}`, event: item }));
  }
}
