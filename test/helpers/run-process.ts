import { spawn } from 'node:child_process';
import { BIN, REPO_ROOT } from './spawn-remotetask.js';

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, with stdin given, killed after `timeout` ms (a bound, not a wait). */
export function runProcess(
  command: string,
  args: string[],
  options: { env?: Record<string, string | undefined>; input?: string; timeout?: number; cwd?: string } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not end within ${options.timeout ?? 30_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeout ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs `remotetask <args>` as a user would (bin/remotetask.js), without the caller's REMOTETASK_* settings. */
export function runCli(args: string[], options: { env?: Record<string, string | undefined>; input?: string } = {}): Promise<ProcessResult> {
  const clean = { REMOTETASK_URL: undefined, REMOTETASK_USER: undefined, REMOTETASK_PASSWORD: undefined, REMOTETASK_TOKEN: undefined };
  return runProcess(process.execPath, [BIN, ...args], { ...options, env: { ...clean, ...options.env } });
}

/** Runs a Python 3 script (`python3 -c`), arguments in sys.argv[1:]. */
export function runPython(script: string, args: string[] = []): Promise<ProcessResult> {
  return runProcess('python3', ['-c', script, ...args]);
}
