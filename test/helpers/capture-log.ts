import Transport from 'winston-transport';
import winston from 'winston';
import { levelName, LOGGER_NAME } from '../../core/log/create-logger.js';

/** A winston transport that keeps every record, so tests can read the log as the seed prints it. */
class MemoryTransport extends Transport {
  readonly records: Array<{ level: string; message: string }> = [];

  override log(info: { level: string; message: string }, next: () => void): void {
    this.records.push({ level: info.level, message: String(info.message) });
    next();
  }
}

export interface CapturedLog {
  logger: winston.Logger;
  records: Array<{ level: string; message: string }>;
  /** The records in the seed's `print log_info` layout. */
  print(): string;
  clear(): void;
}

export function captureLog(level = 'info'): CapturedLog {
  const transport = new MemoryTransport();
  const logger = winston.createLogger({ level, transports: [transport] });
  return {
    logger,
    records: transport.records,
    print: () => transport.records.map((r) => `${LOGGER_NAME} ${levelName(r.level)}\n  ${r.message}`).join('\n'),
    clear: () => void transport.records.splice(0),
  };
}
