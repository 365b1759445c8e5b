import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AssetUrls } from './views/layout.js';

export interface Asset {
  path: string;
  type: string;
  body: Buffer;
  /** A short hash of the body: asset URLs carry it, so browsers may cache them for good. */
  version: string;
}

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * The plugin's own files: next to this module (from source), or in the source tree when this
 * module runs compiled from dist/ of a clone.
 */
function assetsDir(): string {
  const candidates = [join(HERE, 'assets'), join(HERE, '..', '..', '..', 'plugins', 'dashboard', 'assets')];
  const found = candidates.find((dir) => existsSync(join(dir, 'dashboard.css')));
  if (!found) throw new Error(`the dashboard's assets are missing: looked in ${candidates.join(' and ')}`);
  return found;
}

function asset(path: string, file: string, type: string): Asset {
  const body = readFileSync(file);
  return { path, type, body, version: createHash('sha256').update(body).digest('hex').slice(0, 12) };
}

/** Every file the dashboard serves, read once: its CSS, script and icon, and htmx from node_modules. */
export function loadAssets(): Asset[] {
  const dir = assetsDir();
  const htmx = createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js');
  return [
    asset('/assets/dashboard.css', join(dir, 'dashboard.css'), 'text/css; charset=utf-8'),
    asset('/assets/dashboard.js', join(dir, 'dashboard.js'), 'text/javascript; charset=utf-8'),
    asset('/assets/icon.svg', join(dir, 'icon.svg'), 'image/svg+xml'),
    asset('/assets/htmx.min.js', htmx, 'text/javascript; charset=utf-8'),
  ];
}

export function assetUrls(assets: Asset[]): AssetUrls {
  const url = (path: string) => {
    const found = assets.find((entry) => entry.path === path)!;
    return `${found.path}?v=${found.version}`;
  };
  return {
    css: url('/assets/dashboard.css'),
    js: url('/assets/dashboard.js'),
    htmx: url('/assets/htmx.min.js'),
    icon: url('/assets/icon.svg'),
  };
}
