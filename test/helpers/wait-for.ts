import type { JobEvent } from '../../core/service/job-events.js';
import type { Kernel } from '../../core/kernel/kernel.js';

/** Resolves with the first job event that matches, or rejects after `timeout` ms: a bound, not a sleep. */
export function waitForEvent(kernel: Kernel, match: (event: JobEvent) => boolean, timeout = 10_000): Promise<JobEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching job event within ${timeout} ms`));
    }, timeout);
    const off = kernel.events.on((event) => {
      if (!match(event)) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

export interface WaitOptions {
  /** Give up after this many ms (default 10 s): a bound, not a sleep. */
  timeout?: number;
  /** How often to look (default 5 ms). */
  interval?: number;
  /** What is awaited, for the error message. */
  what?: string;
  /** More to say when it did not hold (the state the test saw). */
  detail?: () => string;
}

/** Polls `condition` until it holds, or rejects after the timeout. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, options: WaitOptions = {}): Promise<void> {
  const { timeout = 10_000, interval = 5, what = 'condition', detail } = options;
  const deadline = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeout} ms${detail ? `\n${detail()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
