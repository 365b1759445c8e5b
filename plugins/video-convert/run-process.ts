import { spawn } from 'node:child_process';

export interface RunProcessOptions {
  /** Aborting stops the process: SIGTERM, then SIGKILL after `killGrace` ms. */
  signal?: AbortSignal;
  killGrace?: number;
  /** Each line the process writes to stdout, as it comes. */
  onStdoutLine?: (line: string) => void;
  /** Keep the whole stdout (ffprobe's JSON); otherwise only lines are passed on. */
  collectStdout?: boolean;
}

export interface ProcessResult {
  code: number | null;
  /** The signal that ended it, if one did. */
  exitSignal: NodeJS.Signals | null;
  stdout: string;
  /** The last few KiB of stderr: where ffmpeg says what went wrong. */
  stderr: string;
  /** Whether it was stopped through the abort signal. */
  aborted: boolean;
}

const STDERR_KEEP = 8 * 1024;

/**
 * Runs a program with an argument array (no shell) and resolves once it has exited and its output
 * is read, however it ended. Rejects only when it cannot start. An abort kills it and still waits
 * for the exit, so when this resolves no process is left.
 */
export function runProcess(command: string, args: string[], options: RunProcessOptions = {}): Promise<ProcessResult> {
  const { signal, killGrace = 2000, onStdoutLine, collectStdout = false } = options;
  if (signal?.aborted) return Promise.resolve({ code: null, exitSignal: null, stdout: '', stderr: '', aborted: true });
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], shell: false, windowsHide: true });
    let stdout = '';
    let pending = '';
    let stderr = '';
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;

    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (collectStdout) stdout += chunk;
      if (!onStdoutLine) return;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) onStdoutLine(line.trimEnd());
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP);
    });

    const onAbort = () => {
      aborted = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), killGrace);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = () => {
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
    };

    child.on('error', (error) => {
      finish();
      reject(error);
    });
    child.on('close', (code, exitSignal) => {
      finish();
      if (pending && onStdoutLine) onStdoutLine(pending.trimEnd());
      resolve({ code, exitSignal, stdout, stderr, aborted });
    });
  });
}
