import { resolve } from 'node:path';

/** The `files` plugin's options, as written in the config: `['files', { dir, maxFileSize, retention }]`. */
export interface FilesPluginOptions {
  /** Where files are kept, relative to the config file. Default `./data/files`. */
  dir?: string;
  /** The largest upload: bytes, or `'500MB'`, `'2GiB'`, … Default 2 GiB. */
  maxFileSize?: number | string;
  /** How long a file is kept: milliseconds, or `'7d'`, `'12h'`, `'30m'`, `'90s'`; `false` keeps files forever. Default 7 days. */
  retention?: number | string | false;
  /** How often expired files are swept (ms or a duration string). Default hourly. */
  sweepInterval?: number | string;
}

export interface FilesSettings {
  dir: string;
  maxFileSize: number;
  /** null: files never expire. */
  retentionMs: number | null;
  sweepIntervalMs: number;
}

export const DEFAULT_FILES_DIR = './data/files';
export const DEFAULT_MAX_FILE_SIZE = 2 * 1024 ** 3;
export const DEFAULT_RETENTION_MS = 7 * 24 * 3600_000;
export const DEFAULT_SWEEP_INTERVAL_MS = 3600_000;

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
};

/** `'7d'`, `'12h'`, `'30m'`, `'90s'`, `'500ms'` or a number of milliseconds. */
export function parseDuration(value: number | string, what: string): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${what} must be a whole number of milliseconds, at least 1; got ${value}`);
    return value;
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/i.exec(String(value));
  if (!match) throw new Error(`${what} must be milliseconds or a duration like "7d", "12h", "30m", "90s"; got ${JSON.stringify(value)}`);
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2]!.toLowerCase()]!);
}

/** `'2GiB'`, `'500MB'`, `'64KiB'` or a number of bytes. */
export function parseSize(value: number | string, what: string): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${what} must be a whole number of bytes, at least 1; got ${value}`);
    return value;
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(String(value));
  if (!match) throw new Error(`${what} must be bytes or a size like "2GiB", "500MB", "64KiB"; got ${JSON.stringify(value)}`);
  const bytes = Math.floor(Number(match[1]) * SIZE_UNITS[(match[2] ?? '').toLowerCase()]!);
  if (bytes < 1) throw new Error(`${what} must be at least 1 byte; got ${JSON.stringify(value)}`);
  return bytes;
}

/** Checks the plugin's options and fills in the defaults; `dir` is resolved against `baseDir`. */
export function resolveFilesSettings(options: Record<string, unknown>, baseDir: string): FilesSettings {
  const known = ['dir', 'maxFileSize', 'retention', 'sweepInterval'];
  const unknown = Object.keys(options).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new Error(`plugin "files": unknown option(s) ${unknown.map((key) => `"${key}"`).join(', ')}; it takes ${known.join(', ')}`);
  }
  const { dir = DEFAULT_FILES_DIR, maxFileSize, retention, sweepInterval } = options as FilesPluginOptions;
  if (typeof dir !== 'string' || dir.trim() === '') throw new Error(`plugin "files": option dir must be a directory path; got ${JSON.stringify(dir)}`);
  const at = (key: string) => `plugin "files": option ${key}`;
  return {
    dir: resolve(baseDir, dir),
    maxFileSize: maxFileSize === undefined ? DEFAULT_MAX_FILE_SIZE : parseSize(maxFileSize, at('maxFileSize')),
    retentionMs: retention === false ? null : retention === undefined ? DEFAULT_RETENTION_MS : parseDuration(retention, at('retention')),
    sweepIntervalMs: sweepInterval === undefined ? DEFAULT_SWEEP_INTERVAL_MS : parseDuration(sweepInterval, at('sweepInterval')),
  };
}
