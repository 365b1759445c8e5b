import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createKernel, definePlugin, type Kernel, type RemotetaskConfig, SimpleTask, TaskError } from '../../core/index.js';
import { buildHttpApp } from '../../plugins/http/index.js';
import { captureLog } from './capture-log.js';

/** Tasks the HTTP tests use: one with an input schema, one reporting progress, one failing. */
export const httpTestTasks = definePlugin({
  name: 'http-test-tasks',
  register(ctx) {
    ctx.addTask('greet', new SimpleTask((input: { name: string }) => `hello ${input.name}`, {
      description: 'Greets someone by name.',
      inputSchema: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: { name: { type: 'string', minLength: 1 }, times: { type: 'integer', minimum: 1 } },
      },
    }));
    ctx.addTask('steps', new SimpleTask(async (input: { steps?: number } | null, context) => {
      const steps = input?.steps ?? 2;
      for (let step = 1; step <= steps; step++) await context.progress(step / steps, `step ${step} of ${steps}`);
      return { steps };
    }, { description: 'Reports progress step by step.' }));
    ctx.addTask('fail', new SimpleTask(() => {
      throw new TaskError('this task always fails');
    }, { description: 'Always fails.' }));
  },
});

/**
 * A kernel for route tests: memory store, nothing autostarted, the echo plugin and the test tasks,
 * a root service and one in site1. The log is kept in memory.
 */
export async function createHttpTestKernel(config: Partial<RemotetaskConfig> = {}): Promise<Kernel> {
  return createKernel(
    {
      store: { kind: 'memory' },
      plugins: ['echo', httpTestTasks],
      sites: {
        '': { services: { RootTaskService: {} } },
        site1: { services: { Svc: { processor: 'multi', maxConcurrency: 2 } } },
      },
      ...config,
    },
    { autostart: false, logger: captureLog().logger },
  );
}

/** How many jobs the kernel's store holds in all: to show a rejected request stored nothing. */
export async function jobCount(kernel: Kernel): Promise<number> {
  const counts = await kernel.store.countByStatus();
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

export interface ServedTestKernel {
  kernel: Kernel;
  app: FastifyInstance;
  /** `http://127.0.0.1:<port>` */
  base: string;
  port: number;
  close(): Promise<void>;
}

/** {@link createHttpTestKernel} with its web service listening on a free port of loopback. */
export async function serveHttpTestKernel(config: Partial<RemotetaskConfig> = {}): Promise<ServedTestKernel> {
  const kernel = await createHttpTestKernel(config);
  const app = await buildHttpApp(kernel);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    kernel,
    app,
    port,
    base: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await kernel.close();
    },
  };
}
