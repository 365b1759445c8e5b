import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningProcess, spawnRemotetask } from './spawn-remotetask.js';

/** Tasks for end-to-end tests, as a plugin file without imports (the temporary directory cannot resolve 'remotetask'). */
const E2E_TASKS_PLUGIN = `
export default {
  name: 'e2e-tasks',
  register(ctx) {
    ctx.addTask('steps', {
      description: 'Reports progress step by step.',
      async run(input, context) {
        const steps = (input && input.steps) || 3;
        for (let step = 1; step <= steps; step++) await context.progress(step / steps, 'step ' + step + ' of ' + steps);
        return { steps };
      },
    });
    ctx.addTask('fail', {
      description: 'Always fails.',
      run() { throw new Error('this task always fails'); },
    });
    ctx.addTask('greet', {
      description: 'Greets someone by name.',
      inputSchema: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
      run(input) { return 'hello ' + input.name; },
    });
  },
};
`;

export interface RunningServer extends RunningProcess {
  /** `http://127.0.0.1:<port>` from the "listening on" line. */
  url: string;
  /** Sends the signal and resolves with the exit code when the process has ended. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The config end-to-end tests start from: memory store, echo + the e2e tasks, one root service processing, no retries. */
export function e2eConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    store: { kind: 'memory' },
    plugins: ['echo', './e2e-tasks.mjs'],
    sites: { '': { services: { RootTaskService: {} } } },
    autostart: ['@RootTaskService'],
    defaults: { maxAttempts: 1 },
    ...extra,
  };
}

/** Writes `config` to a temporary directory as remotetask.config.mjs, next to the e2e tasks plugin. */
export function writeTemporaryConfig(config: Record<string, unknown>): { file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'remotetask-e2e-'));
  writeFileSync(join(dir, 'e2e-tasks.mjs'), E2E_TASKS_PLUGIN);
  const file = join(dir, 'remotetask.config.mjs');
  writeFileSync(file, `export default ${JSON.stringify(config, null, 2)};\n`);
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts `remotetask serve --config <tmp config> --port 0` and resolves once it logs
 * "listening on …" (or rejects when it exits first, or says nothing within `timeout` ms).
 */
export async function startRemotetaskServer(
  config: Record<string, unknown> = e2eConfig(),
  options: { env?: Record<string, string>; args?: string[]; timeout?: number } = {},
): Promise<RunningServer> {
  const written = writeTemporaryConfig(config);
  const server = spawnRemotetask(['serve', '--config', written.file, '--port', '0', ...(options.args ?? [])], {
    REMOTETASK_LOG_FORMAT: 'pretty',
    ...options.env,
  });
  void server.exited.then(() => written.remove());
  try {
    const [, url] = await server.waitForOutput(/listening on (http:\/\/\S+)/, options.timeout ?? 20_000);
    return {
      ...server,
      url: url!,
      async stop(signal = 'SIGTERM') {
        if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill(signal);
        return (await server.exited).code;
      },
    };
  } catch (error) {
    server.child.kill('SIGKILL');
    throw error;
  }
}
