import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'winston';
import { ConfigToken, type DeclaredCronJob, type RemotetaskConfig } from '../config/define-config.js';
import { validateConfig } from '../config/validate-config.js';
import { createLogger } from '../log/create-logger.js';
import { JobEventBus } from '../service/job-events.js';
import type { TaskService } from '../service/task-service.js';
import { createJobStore, DEFAULT_STORE } from '../store/create-job-store.js';
import { JobStoreToken } from '../store/job-store-token.js';
import { connectEventRelay } from './connect-event-relay.js';
import { connectFlowChanges } from './connect-flow-changes.js';
import type { JobStore } from '../store/job-store.js';
import { Kernel, KernelToken } from './kernel.js';
import { registerPlugins } from './register-plugins.js';

export interface KernelOptions {
  /** The config file's path, for error messages. */
  configFile?: string;
  /** Where relative paths of the config resolve (plugins, the SQLite file); default: the working directory. */
  baseDir?: string;
  /** The time in milliseconds since the epoch; tests pass a fake clock. */
  clock?: () => number;
  logger?: Logger;
  /** This process's name in job leases; default `host:pid:random`. */
  workerId?: string;
  /** Start the config's autostart directives at boot (default true). */
  autostart?: boolean;
  /** How often expired leases are swept back to the queue (ms); default half the shortest lease. */
  sweepInterval?: number;
  /** How often this process tries a retention sweep (ms); default a minute. */
  retentionInterval?: number;
  /** A store to use instead of the config's (an agent's, which reaches its jobs over HTTP). */
  store?: JobStore;
}

/**
 * Boots remotetask: validates the config, builds the root site and the named sites, loads and
 * registers the plugins, opens the job store, creates the task services, then fires the
 * bootstrap event (plugins' handlers, then the autostart directives).
 */
export async function createKernel(config: RemotetaskConfig, options: KernelOptions = {}): Promise<Kernel> {
  const valid = validateConfig(config, options.configFile);
  const baseDir = options.baseDir ?? process.cwd();
  const logger = options.logger ?? createLogger(valid.log);
  const clock = options.clock ?? Date.now;
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

  const { root, sites } = await registerPlugins(valid, { baseDir, logger, configFile: options.configFile });

  const store = options.store ?? (await createJobStore(valid.store ?? DEFAULT_STORE, baseDir));
  await store.open();
  const events = new JobEventBus();
  connectEventRelay(events, store);
  connectFlowChanges(events, store);
  const kernel = new Kernel({
    config: valid,
    baseDir,
    root,
    sites,
    store,
    logger,
    events,
    workerId,
    clock,
    sweepInterval: options.sweepInterval,
    retentionInterval: options.retentionInterval,
  });
  for (const site of sites) {
    for (const [name, serviceConfig] of Object.entries(valid.sites?.[site.name]?.services ?? {})) {
      kernel.addService(site, name, serviceConfig);
    }
  }
  root.bindValue(KernelToken, kernel);
  root.bindValue(JobStoreToken, store);
  root.bindValue(ConfigToken, valid);
  try {
    await ensureDeclaredCronJobs(kernel);
    await kernel.bootstrap({ autostart: options.autostart });
  } catch (error) {
    await kernel.close();
    throw error;
  }
  return kernel;
}

/**
 * Cron jobs declared in the config exist once: a declared job is known by its service, task and
 * input; it is added when missing and rescheduled when its schedule changed in the config.
 */
async function ensureDeclaredCronJobs(kernel: Kernel): Promise<void> {
  for (const [siteName, site] of Object.entries(kernel.config.sites ?? {})) {
    for (const [serviceName, serviceConfig] of Object.entries(site.services ?? {})) {
      const declared = serviceConfig.cron ?? [];
      if (declared.length === 0) continue;
      const service = kernel.getService(`${siteName}@${serviceName}`);
      // Workers booting together from one config must not each add the job: read and add under a lock.
      await kernel.store.exclusively(`declared cron jobs of ${service.address}`, () => syncCronJobs(service, declared));
    }
  }
}

async function syncCronJobs(service: TaskService, declared: DeclaredCronJob[]): Promise<void> {
  const existing = [];
  for await (const job of service.jobs.iterate({ status: ['cronjob'] })) existing.push(job);
  for (const { task, input = null, ...schedule } of declared) {
    const same = existing.find((job) => job.task === task && JSON.stringify(job.input) === JSON.stringify(input));
    if (!same) await service.addCronJob(task, input, schedule);
    else if (JSON.stringify(same.schedule) !== JSON.stringify(schedule)) await service.updateCronJob(same.id, schedule);
  }
}
