import { hostname } from 'node:os';
import type { Logger } from 'winston';
import type { TaskService } from '../service/task-service.js';
import type { JobStore } from '../store/job-store.js';
import type { FinishedRuns, ProcessBeat, ProcessOrders } from '../store/process-registry.js';

export interface ProcessHeartbeatDeps {
  store: JobStore;
  workerId: string;
  version: string;
  logger: Logger;
  clock: () => number;
  /** The services of the process; those processing now are named in each beat. */
  services: () => TaskService[];
  /** A process counts as lost this long after its last beat (ms); it beats three times as often. Asked at start. */
  ttl: () => number;
  /** The runs this process ended, told with each beat. */
  finished?: () => FinishedRuns;
  /** Told the orders the registry answered to each recorded beat (a drain). */
  onOrders?: (orders: ProcessOrders) => void;
}

/** The host a process is listed under: REMOTETASK_HOSTNAME when set (containers), else the OS's. */
export function processHost(): string {
  return process.env.REMOTETASK_HOSTNAME || hostname();
}

/**
 * Records the process in the store's registry and keeps it there: a beat at start, then every
 * third of the ttl, and right away when what it processes changes; it removes the record on a
 * clean stop. A `serve` or `worker` process is always listed, an embedded kernel while it
 * processes a service. A process killed without stopping stops beating and is listed as lost.
 */
export class ProcessHeartbeat {
  #role = 'embedded';
  readonly #deps: ProcessHeartbeatDeps;
  readonly #started: number;
  #timer?: NodeJS.Timeout;
  #ttl = 0;
  #recorded = false;
  #beating?: Promise<void>;

  constructor(deps: ProcessHeartbeatDeps) {
    this.#deps = deps;
    this.#started = deps.clock();
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  start(): void {
    if (this.#timer) return;
    this.#ttl = this.#deps.ttl();
    this.#timer = setInterval(() => void this.beat(), Math.max(50, Math.floor(this.#ttl / 3)));
    this.#timer.unref();
    void this.beat();
  }

  /** How the process was started (`serve`, `worker`); said at once when it beats already. */
  setRole(role: string): Promise<void> {
    this.#role = role;
    return this.beat();
  }

  /** What the process says about itself now. */
  describe(): ProcessBeat {
    const { workerId, version, clock, services } = this.#deps;
    return {
      id: workerId,
      host: processHost(),
      pid: process.pid,
      role: this.#role,
      version,
      services: services()
        .filter((service) => service.isProcessing())
        .map((service) => ({ address: service.address, concurrency: service.processor?.concurrency ?? 0 })),
      started: this.#started,
      heartbeat: clock(),
      ttl: this.#ttl,
      ...(this.#deps.finished ? { finished: this.#deps.finished() } : {}),
    };
  }

  /** Records a beat now (one at a time: a beat asked for while one is written follows it). */
  beat(): Promise<void> {
    const previous = this.#beating ?? Promise.resolve();
    const next = previous.then(async () => {
      if (!this.#timer) return;
      try {
        const beat = this.describe();
        // A kernel embedded in an application that processes nothing is a client of the store,
        // not one of its processes: it is listed only while it processes.
        if (beat.role === 'embedded' && beat.services.length === 0) {
          if (this.#recorded) await this.#deps.store.removeProcess(beat.id);
          this.#recorded = false;
          return;
        }
        const orders = await this.#deps.store.recordProcess(beat);
        this.#recorded = true;
        this.#deps.onOrders?.(orders);
      } catch (error) {
        this.#deps.logger.warn(`recording this process in the registry failed: ${(error as Error).message}`);
      }
    });
    this.#beating = next;
    return next;
  }

  /** Stops beating and removes the record. */
  async stop(): Promise<void> {
    if (!this.#timer) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#beating;
    try {
      await this.#deps.store.removeProcess(this.#deps.workerId);
    } catch (error) {
      this.#deps.logger.warn(`removing this process from the registry failed: ${(error as Error).message}`);
    }
  }
}
