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

/** Polls `condition` until it holds, or rejects after `timeout` ms. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeout = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
