import type { Logger } from 'winston';
import type { RemotetaskConfig, ServiceConfig, SiteConfig } from '../config/define-config.js';
import { WorkerPools, WorkerPoolsToken } from '../isolation/isolation-pool.js';
import type { Token } from '../registry/token.js';
import { Site } from '../registry/site.js';
import { UnknownServiceError } from '../service/errors.js';
import type { JobEventBus } from '../service/job-events.js';
import { startRemoteTasks } from '../service/start-remote-tasks.js';
import { DEFAULT_SERVICE_OPTIONS, type ServiceOptions } from '../service/service-options.js';
import { TaskService } from '../service/task-service.js';
import { TaskServiceToken } from '../service/task-service-token.js';
import type { JobStore } from '../store/job-store.js';
import { type Task, TaskToken } from '../tasks/task.js';
import { placeTask } from '../isolation/isolated-task.js';
import { KernelResources } from './kernel-resources.js';
import { ProcessHeartbeat } from '../fleet/process-heartbeat.js';
import { FinishedRunCounter } from '../fleet/finished-runs.js';
import { FleetControl } from '../fleet/fleet-control.js';
import { packageVersion } from '../cli/package-version.js';
import { mergeRetention, retentionLimits } from '../service/retention/retention-options.js';
import { DEFAULT_RETENTION_INTERVAL, RetentionSweeper } from '../service/retention/retention-sweeper.js';

/** The kernel itself: a root singleton. */
export const KernelToken: Token<Kernel> = Symbol.for('remotetask.Kernel');

/** When plugins' lifecycle handlers run: at boot, as closing begins, at the end of closing. */
export type LifecyclePhase = 'bootstrap' | 'stopping' | 'close';

export interface LifecycleHook {
  phase: LifecyclePhase;
  /** The plugin it belongs to, for messages. */
  plugin: string;
  handler: (kernel: Kernel) => void | Promise<void>;
}

/** The extension point of lifecycle handlers (`ctx.on(phase, handler)`), in plugin order. */
export const LifecycleHooks: Token<LifecycleHook> = Symbol.for('remotetask.LifecycleHooks');

/**
 * Named bindings in the root: the checked options of each plugin the config gives options to or
 * loads, by plugin name.
 */
export const PluginOptionsToken: Token<Record<string, unknown>> = Symbol.for('remotetask.PluginOptions');

/** Named bindings in the root: the loaded plugins (see `Plugin`), by name, in registration order. */
export const LoadedPluginToken: Token<{ name: string }> = Symbol.for('remotetask.Plugin');

export interface KernelParts {
  config: RemotetaskConfig;
  baseDir: string;
  root: Site;
  /** Every site, the root first, then the config's order. */
  sites: Site[];
  store: JobStore;
  logger: Logger;
  events: JobEventBus;
  workerId: string;
  clock: () => number;
  /** How often expired leases are swept (ms); undefined: half the shortest lease. */
  sweepInterval?: number;
  /** How often this process tries a retention sweep (ms); default a minute. */
  retentionInterval?: number;
}

/**
 * The running remotetask: the root site and its sites, the plugins, the job store and the task
 * services. Host applications get one from `createKernel(config)` and reach services by address.
 */
export class Kernel {
  readonly config: RemotetaskConfig;
  /** The directory relative paths of the config resolve against. */
  readonly baseDir: string;
  readonly root: Site;
  readonly store: JobStore;
  readonly logger: Logger;
  readonly events: JobEventBus;
  readonly workerId: string;
  readonly clock: () => number;
  /** What lives as long as the kernel and closes with it (worker pools, …). */
  readonly resources = new KernelResources();
  /** This process's record in the store's registry of processes; `role` says how it was started. */
  readonly heartbeat: ProcessHeartbeat;
  /** Applies the store's fleet-wide pauses to this process's services. */
  readonly fleetControl: FleetControl;
  /** Removes finished jobs past their service's retention; one process of a store sweeps at a time. */
  readonly retention: RetentionSweeper;
  readonly #parts: KernelParts;
  #sweeper?: NodeJS.Timeout;
  #closing?: Promise<void>;

  constructor(parts: KernelParts) {
    this.#parts = parts;
    this.config = parts.config;
    this.baseDir = parts.baseDir;
    this.root = parts.root;
    this.store = parts.store;
    this.logger = parts.logger;
    this.events = parts.events;
    this.workerId = parts.workerId;
    this.clock = parts.clock;
    const finished = new FinishedRunCounter(this.clock);
    finished.attach(this.events);
    this.heartbeat = new ProcessHeartbeat({
      store: this.store, workerId: this.workerId, version: packageVersion(), logger: this.logger, clock: this.clock,
      services: () => this.services(), ttl: () => this.#shortestLease(),
      finished: () => finished.read(), onOrders: (orders) => this.fleetControl.applyOrders(orders),
    });
    this.fleetControl = new FleetControl({
      store: this.store, logger: this.logger, services: () => this.services(), workerId: this.workerId, beat: () => this.heartbeat.beat(),
    });
    this.retention = new RetentionSweeper({
      store: this.store, logger: this.logger, clock: this.clock, services: () => this.services(),
      busy: () => this.services().some((service) => service.processor?.backlogged === true),
    });
  }

  /** Every site, the root first. */
  sites(): Site[] {
    return [...this.#parts.sites];
  }

  getSite(name: string): Site | undefined {
    return this.#parts.sites.find((site) => site.name === name);
  }

  /** The names of the loaded plugins, in the order they registered. */
  pluginNames(): string[] {
    return this.root.names(LoadedPluginToken);
  }

  /** The checked options of plugin `name` (see `PluginContext.options`); undefined when the config gives none and it is not loaded. */
  optionsOf<T = Record<string, unknown>>(name: string): T | undefined {
    return this.root.lookupOwn(PluginOptionsToken, name) as T | undefined;
  }

  /** What a plugin provides under `token` (`ctx.provide`), or any root binding; undefined when none. */
  lookup<T>(token: Token<T>, name?: string): T | undefined {
    return this.root.lookup(token, name);
  }

  /** A site's own services. */
  servicesOf(site: Site): TaskService[] {
    return site.ownNames(TaskServiceToken).map((name) => site.lookupOwn<TaskService>(TaskServiceToken, name)!);
  }

  /** Every service, the root site's first. */
  services(): TaskService[] {
    return this.#parts.sites.flatMap((site) => this.servicesOf(site));
  }

  /** The service at `site@Service` (`@Service` for the root site). */
  getService(address: string): TaskService {
    const at = address.indexOf('@');
    if (at < 0 || address.indexOf('@', at + 1) >= 0) {
      throw new UnknownServiceError(address, `"${address}" is not a service address: write site@Service, or @Service for the root site`);
    }
    const siteName = address.slice(0, at);
    const serviceName = address.slice(at + 1);
    const site = this.getSite(siteName);
    if (!site) {
      const known = this.#parts.sites.map((s) => (s.isRoot ? '"" (root)' : `"${s.name}"`)).join(', ');
      throw new UnknownServiceError(address, `site "${siteName}" not found (sites: ${known})`);
    }
    const service = site.lookupOwn<TaskService>(TaskServiceToken, serviceName);
    if (!service) {
      const known = site.ownNames(TaskServiceToken).map((name) => `${siteName}@${name}`);
      throw new UnknownServiceError(
        address,
        `service "${serviceName}" not found in site ${site.displayName} (services: ${known.join(', ') || 'none'})`,
      );
    }
    return service;
  }

  /**
   * Adds a site at run time (Zope sites come and go with the content): a child of the root with
   * its own services. Returns the site.
   */
  addSite(name: string, config: SiteConfig = {}): Site {
    if (!/^[\w.-]+$/.test(name)) {
      throw new Error(`"${name}" is not a site name: use letters, digits, "_", "." and "-"`);
    }
    if (this.getSite(name)) throw new Error(`site "${name}" already exists`);
    const site = new Site(name, this.root);
    this.#parts.sites.push(site);
    for (const [service, serviceConfig] of Object.entries(config.services ?? {})) this.addService(site, service, serviceConfig);
    return site;
  }

  /** Creates a task service named `name` in `site`; settings not given come from the config's defaults. */
  addService(site: Site, name: string, config: ServiceConfig = {}): TaskService {
    if (!/^[\w.-]+$/.test(name)) {
      throw new Error(`"${name}" is not a service name: use letters, digits, "_", "." and "-"`);
    }
    const { store, events, logger, clock, workerId } = this;
    const options = this.#serviceOptions(config);
    retentionLimits(options.retention, `the retention of service "${name}"`);
    const service = new TaskService({ site, name, store, events, logger, options, clock, workerId });
    site.bindNamed(TaskServiceToken, name, service);
    const isolation = { service: service.address, isolation: options.isolation, grace: options.abortGrace };
    site.bindNamed(WorkerPoolsToken, name, new WorkerPools(isolation, this.resources));
    return service;
  }

  #serviceOptions(service: ServiceConfig): ServiceOptions {
    const { cron: _cron, ...own } = service;
    const defaults = this.config.defaults;
    return {
      ...DEFAULT_SERVICE_OPTIONS,
      ...defaults,
      ...own,
      backoff: { ...DEFAULT_SERVICE_OPTIONS.backoff, ...defaults?.backoff, ...own.backoff },
      retention: mergeRetention(defaults?.retention, own.retention),
      ...(defaults?.isolation || own.isolation ? { isolation: { ...defaults?.isolation, ...own.isolation } } : {}),
    };
  }

  /** Registers a task at run time, for every site or one (the seed's `provideUtility(task, name=…)`). */
  addTask(name: string, task: Task, options: { site?: string } = {}): void {
    const site = this.getSite(options.site ?? '');
    if (!site) throw new Error(`site "${options.site}" not found`);
    site.bindNamed(TaskToken, name, placeTask(task, undefined, `task "${name}"`));
  }

  /** Unregisters a task; jobs still queued for it fail with a clear error when they run. */
  removeTask(name: string, options: { site?: string } = {}): boolean {
    return this.getSite(options.site ?? '')?.unbindNamed(TaskToken, name) ?? false;
  }

  /** The names of the running processor loops, sorted: the seed's `remotetasks.*` threads. */
  processors(): string[] {
    return this.services()
      .filter((service) => service.isProcessing())
      .map((service) => service.processorName)
      .sort();
  }

  /** Whatever plugins contributed to an extension point, in plugin order (its contribution provider's answer). */
  contributions<T>(point: Token<T> | symbol): T[] {
    return this.root.contributions<T>(point).getContributions();
  }

  /** Runs the plugins' handlers of `phase`: in plugin order at bootstrap, in reverse when stopping and closing. */
  async #runHooks(phase: LifecyclePhase): Promise<void> {
    const hooks = this.contributions(LifecycleHooks).filter((hook) => hook.phase === phase);
    if (phase === 'bootstrap') {
      for (const hook of hooks) await hook.handler(this);
      return;
    }
    for (const hook of hooks.reverse()) {
      try {
        await hook.handler(this);
      } catch (error) {
        this.logger.error(`a ${phase === 'close' ? 'close' : 'stopping'} handler of plugin "${hook.plugin}" failed: ${(error as Error).message}`);
      }
    }
  }

  /** Starts the services the directives name (the config's `autostart` by default), logging as the seed. */
  startRemoteTasks(directives: readonly string[] = this.config.autostart ?? []): TaskService[] {
    return startRemoteTasks(this, directives, this.logger);
  }

  /** The bootstrap event: plugins' bootstrap handlers, then the autostart directives. */
  async bootstrap(options: { autostart?: boolean } = {}): Promise<void> {
    await this.#runHooks('bootstrap');
    // Paused services start paused: their processors claim nothing from the first moment.
    await this.fleetControl.start();
    if (options.autostart !== false) this.startRemoteTasks();
    this.#startSweeper();
    this.retention.start(this.#parts.retentionInterval ?? DEFAULT_RETENTION_INTERVAL);
    this.heartbeat.start();
  }

  /** Returns jobs of crashed workers (expired leases) to the queue, now and then. */
  #startSweeper(): void {
    if (this.#sweeper) return;
    this.#sweeper = setInterval(() => {
      this.store.recoverExpired(this.clock()).then(
        (recovered) => {
          if (recovered > 0) this.logger.warn(`recovered ${recovered} job(s) whose worker stopped renewing its lease`);
        },
        (error: Error) => this.logger.warn(`recovering expired leases failed: ${error.message}`),
      );
    }, this.#sweepInterval());
    this.#sweeper.unref();
  }

  /** Half the shortest lease of any service, so a lost worker's job waits at most 1.5 leases. */
  #sweepInterval(): number {
    if (this.#parts.sweepInterval) return this.#parts.sweepInterval;
    return Math.max(50, Math.floor(this.#shortestLease() / 2));
  }

  #shortestLease(): number {
    return Math.min(DEFAULT_SERVICE_OPTIONS.leaseMs, ...this.services().map((service) => service.options.leaseMs));
  }

  /**
   * Runs the plugins' stopping handlers (no new work comes in), stops every processor (running
   * jobs finish or are handed back), runs close handlers, closes the kernel's resources and the store.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#sweeper);
      await this.retention.stop();
      await this.#runHooks('stopping');
      await Promise.all(this.services().map((service) => service.stopProcessing()));
      this.fleetControl.stop();
      await this.heartbeat.stop();
      await this.#runHooks('close');
      await this.resources.close((error) => this.logger.error(`closing a kernel resource failed: ${(error as Error).message}`));
      await this.store.close();
    })();
    return this.#closing;
  }
}
