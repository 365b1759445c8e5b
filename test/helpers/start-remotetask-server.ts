import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, REPO_ROOT } from './run-process.js';

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

export interface RunningServer {
  /** `http://127.0.0.1:<port>` from the "listening on" line. */
  url: string;
  child: ChildProcessWithoutNullStreams;
  /** Everything the server wrote so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output, or rejects after `timeout` ms (a bound, not a sleep). */
  waitForOutput(pattern: RegExp, timeout?: number): Promise<RegExpExecArray>;
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
  const child = spawn(process.execPath, [CLI, 'serve', '--config', written.file, '--port', '0', ...(options.args ?? [])], {
    cwd: REPO_ROOT,
    env: { ...process.env, REMOTETASK_LOG_FORMAT: 'pretty', ...options.env },
  });
  let output = '';
  const outputListeners = new Set<() => void>();
  // 'close', not 'exit': by then everything the process wrote has been read.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  exited.then(() => written.remove());
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not log "listening on" within ${options.timeout ?? 20_000} ms:\n${output}`));
    }, options.timeout ?? 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      for (const listener of outputListeners) listener();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with code ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    waitForOutput(pattern, timeout = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (!match) return;
          clearTimeout(timer);
          outputListeners.delete(check);
          resolve(match);
        };
        const timer = setTimeout(() => {
          outputListeners.delete(check);
          reject(new Error(`the server did not write ${pattern} within ${timeout} ms:\n${output}`));
        }, timeout);
        outputListeners.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
