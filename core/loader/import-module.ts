import { pathToFileURL } from 'node:url';
import { loadTsx } from './load-tsx.js';

/**
 * Imports a module by absolute path. TypeScript files load natively where the runtime already
 * understands them (tsx, vitest), else through tsx's loader, so `remotetask.config.ts` and
 * plugins written in TypeScript work from the built CLI on plain Node 20 too, when tsx (an
 * optional peer dependency) is installed.
 */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    const { tsImport } = await loadTsx(path);
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
}
