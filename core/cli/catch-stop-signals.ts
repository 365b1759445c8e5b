import type { Logger } from 'winston';

export interface StopSignals {
  /**
   * Keeps the process up until SIGINT or SIGTERM (or at once, when one came already), then shuts
   * down gracefully with `stop`: a second signal exits at once.
   */
  runUntilSignal(logger: Logger, stop: () => Promise<void>): Promise<void>;
}

/**
 * Takes over SIGINT and SIGTERM now, before a slow boot: a signal that arrives while the server is
 * starting (it may already be listening) is kept and acted upon once `runUntilSignal` is called.
 */
export function catchStopSignals(): StopSignals {
  let received: NodeJS.Signals | undefined;
  let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
  const early = (signal: NodeJS.Signals) => {
    if (onSignal) onSignal(signal);
    else received ??= signal;
  };
  process.on('SIGINT', early);
  process.on('SIGTERM', early);
  return {
    runUntilSignal(logger, stop) {
      return new Promise((resolve) => {
        let stopping = false;
        onSignal = (signal) => {
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
        if (received) onSignal(received);
      });
    },
  };
}
