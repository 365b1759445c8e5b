import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { createKernel, type Kernel, type RemotetaskConfig } from '../../core/index.js';
import { httpServerOf } from '../../plugins/http/index.js';
import { captureLog } from './capture-log.js';

export interface DashboardTestKernel {
  readonly kernel: Kernel;
  /** The web service's fastify app: `app.inject(…)` asks the dashboard without a socket. */
  readonly app: FastifyInstance;
}

/**
 * A kernel with the http and dashboard plugins for the test file (booted before its tests, closed
 * after them): memory store, nothing autostarted, the log kept in memory. `plugins` come before
 * http and dashboard; `config` adds to or replaces the rest (sites, say).
 */
export function dashboardTestKernel(plugins: NonNullable<RemotetaskConfig['plugins']>, config: Partial<RemotetaskConfig> = {}): DashboardTestKernel {
  let kernel: Kernel | undefined;
  beforeAll(async () => {
    kernel = await createKernel(
      {
        store: { kind: 'memory' },
        plugins: [...plugins, 'http', 'dashboard'],
        sites: { '': { services: { RootTaskService: {} } } },
        http: { port: 0 },
        ...config,
      },
      { autostart: false, logger: captureLog().logger },
    );
  });
  afterAll(async () => {
    if (!kernel) return;
    await httpServerOf(kernel)?.close();
    await kernel.close();
  });
  return {
    get kernel() {
      if (!kernel) throw new Error('the dashboard test kernel is booted in beforeAll');
      return kernel;
    },
    get app() {
      return httpServerOf(this.kernel)!.app;
    },
  };
}

/** The CSRF token of a dashboard page's forms. */
export const csrfOf = (body: string): string => /name="_csrf" value="([^"]+)"/.exec(body)![1];
