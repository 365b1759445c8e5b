import type { Logger } from 'winston';

/**
 * Keeps the process up until SIGINT or SIGTERM, then shuts down gracefully with `stop`: a second
 * signal exits at once.
 */
export function runUntilSignal(logger: Logger, stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn(`${signal} again: exiting without waiting for running jobs`);
        process.exit(130);
      }
      stopping = true;
      logger.info(`${signal} received: stopping (running jobs may finish; send it again to exit at once)`);
      stop().then(
        () => {
          logger.info('stopped');
          resolve();
        },
        (error: Error) => {
          logger.error(`stopping failed: ${error.message}`);
          process.exitCode = 1;
          resolve();
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
