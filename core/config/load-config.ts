import { dirname, resolve } from 'node:path';
import { cosmiconfig, type Loader } from 'cosmiconfig';
import { importModule } from '../loader/import-module.js';
import { ConfigError } from './config-error.js';
import type { RemotetaskConfig, StoreConfig } from './define-config.js';
import { validateConfig } from './validate-config.js';

export interface LoadedConfig {
  config: RemotetaskConfig;
  /** The file it came from; undefined when none was found and the defaults apply. */
  file?: string;
  /** Relative paths in the config resolve against this: the file's directory. */
  baseDir: string;
}

const loadModule: Loader = async (filepath) => {
  const module = await importModule(filepath);
  return module.default ?? module;
};

const SEARCH_PLACES = [
  'package.json',
  '.remotetaskrc',
  '.remotetaskrc.json',
  '.remotetaskrc.yaml',
  '.remotetaskrc.yml',
  '.remotetaskrc.js',
  '.remotetaskrc.mjs',
  '.remotetaskrc.ts',
  'remotetask.config.ts',
  'remotetask.config.mts',
  'remotetask.config.js',
  'remotetask.config.mjs',
  'remotetask.config.json',
];

/**
 * `REMOTETASK_STORE` overrides the config's store: `memory`, `sqlite:<path>` or a
 * `postgres://` URL — so one config file serves a laptop and a fleet of workers.
 */
export function storeFromEnvironment(value: string | undefined): StoreConfig | undefined {
  if (!value) return undefined;
  if (value === 'memory') return { kind: 'memory' };
  if (value.startsWith('sqlite:')) return { kind: 'sqlite', path: value.slice('sqlite:'.length) };
  if (/^postgres(ql)?:\/\//.test(value)) return { kind: 'postgres', url: value };
  throw new ConfigError('REMOTETASK_STORE', [
    `"${value.replace(/\/\/[^@/]*@/, '//***@')}" is not a store: use memory, sqlite:<path> or postgres://user@host:port/database`,
  ]);
}

/**
 * Finds and loads the config: the file given, else `remotetask.config.ts` (or .js, .json, an rc
 * file, or a `remotetask` key in package.json) in `cwd` or the nearest directory above it, up to
 * the project root (the first directory with a package.json). Validates it, naming the file and key
 * of every problem.
 */
export async function loadConfig(options: { file?: string; cwd?: string } = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const explorer = cosmiconfig('remotetask', {
    searchPlaces: SEARCH_PLACES,
    // From the working directory up to the project root (the nearest package.json), as git does.
    searchStrategy: 'project',
    loaders: { '.ts': loadModule, '.mts': loadModule, '.js': loadModule, '.mjs': loadModule },
  });
  let result;
  const file = options.file ? resolve(cwd, options.file) : undefined;
  try {
    result = file ? await explorer.load(file) : await explorer.search(cwd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(file, [`the config file does not exist`]);
    throw new ConfigError(file, [`the config file cannot be read: ${(error as Error).message}`]);
  }
  const found = result?.filepath;
  const config = validateConfig(result?.config ?? {}, found);
  const store = storeFromEnvironment(process.env.REMOTETASK_STORE);
  return {
    config: store ? { ...config, store } : config,
    file: found,
    baseDir: found ? dirname(found) : cwd,
  };
}
