import { existsSync, readFileSync } from 'node:fs';

/**
 * The version of remotetask's own package.json: two folders up from this file in a clone
 * (core/cli/), three from the compiled one (dist/core/cli/).
 */
export function packageVersion(): string {
  for (const relative of ['../../package.json', '../../../package.json']) {
    const url = new URL(relative, import.meta.url);
    if (!existsSync(url)) continue;
    const manifest = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
    if (manifest.name === 'remotetask' && manifest.version) return manifest.version;
  }
  return 'unknown';
}
