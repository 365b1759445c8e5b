import winston from 'winston';

export type LogFormat = 'pretty' | 'json';

export interface LoggerOptions {
  level?: string;
  /** `pretty`: one readable line per event, for a terminal; `json`: one JSON object per line. */
  format?: LogFormat;
  /** Where lines go; the console by default. */
  transports?: winston.transport[];
}

/** The logger's name in every line, as the seed's `lovely.remotetask`. */
export const LOGGER_NAME = 'remotetask';

/** Python's level names, which the seed's log lines use. */
const LEVEL_NAMES: Record<string, string> = {
  error: 'ERROR',
  warn: 'WARNING',
  info: 'INFO',
  http: 'HTTP',
  verbose: 'VERBOSE',
  debug: 'DEBUG',
  silly: 'SILLY',
};

export function levelName(level: string): string {
  return LEVEL_NAMES[level] ?? level.toUpperCase();
}

const pretty = winston.format.printf((info) => {
  const { timestamp, level, message, stack, logger: _logger, ...rest } = info as Record<string, unknown>;
  const extra = Object.keys(rest).filter((key) => typeof key === 'string');
  const meta = extra.length ? ` ${JSON.stringify(Object.fromEntries(extra.map((key) => [key, rest[key]])))}` : '';
  const trace = typeof stack === 'string' ? `\n${stack}` : '';
  return `${timestamp} ${LOGGER_NAME} ${levelName(String(level))} ${String(message)}${meta}${trace}`;
});

/** The `remotetask` logger: readable lines on a terminal, JSON when asked. */
export function createLogger(options: LoggerOptions = {}): winston.Logger {
  const format = options.format ?? (process.env.REMOTETASK_LOG_FORMAT === 'json' ? 'json' : 'pretty');
  return winston.createLogger({
    level: options.level ?? process.env.REMOTETASK_LOG_LEVEL ?? 'info',
    defaultMeta: { logger: LOGGER_NAME },
    format:
      format === 'json'
        ? winston.format.combine(winston.format.timestamp(), winston.format.json())
        : winston.format.combine(winston.format.timestamp(), pretty),
    transports: options.transports ?? [new winston.transports.Console({ stderrLevels: [] })],
  });
}
