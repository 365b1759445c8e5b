import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from './child.js';

/**
 * Compiles a server of the benchmark, with remotetask's source, into one JavaScript file under
 * bench/.build (npm packages stay external and load from node_modules, as in a deployment).
 * esbuild comes with tsx, a dependency of remotetask. Returns the file's path.
 */
export async function bundleServer(entry: string): Promise<string> {
  const outdir = join(REPO_ROOT, 'bench', '.build');
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, entry.replace(/^.*\//, '').replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [join(REPO_ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: false,
    logLevel: 'error',
    banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);" },
    plugins: [
      {
        name: 'remotetask-source',
        setup(b) {
          b.onResolve({ filter: /^remotetask(\/client)?$/ }, (args) => ({
            path: join(REPO_ROOT, 'core', args.path === 'remotetask' ? 'index.ts' : 'client/index.ts'),
          }));
          // Every other package import stays external.
          b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('/') ? undefined : { path: args.path, external: true }));
        },
      },
    ],
  });
  return outfile;
}
