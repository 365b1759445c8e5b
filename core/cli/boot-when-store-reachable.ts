import type { Logger } from 'winston';
import { isStoreUnreachable } from '../store/is-store-unreachable.js';

/** Waits `ms`; a SIGINT or SIGTERM meanwhile ends the process (nothing is running yet). */
function pause(ms: number, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info(`${signal} received while waiting for the store: exiting`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    setTimeout(() => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    }, ms);
  });
}

/**
 * Runs `boot` until it succeeds: while the store cannot be reached (PostgreSQL not up yet, a
 * restart), it logs why and tries again, waiting 1, 2, 4 … up to 30 s. A fleet started together
 * then comes up in any order. Any other failure is thrown at once.
 */
export async function bootWhenStoreReachable<T>(boot: () => Promise<T>, logger: () => Logger): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await boot();
    } catch (error) {
      if (!isStoreUnreachable(error)) throw error;
      const waitMs = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));
      const log = logger();
      log.warn(`the job store is not reachable, trying again in ${waitMs / 1000} s: ${(error as Error).message}`);
      await pause(waitMs, log);
    }
  }
}
