import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from './child.js';

/** remotetask's entry points (`remotetask`, `remotetask/http`, …) as source files, read from package.json's `exports`. */
function entryPointSources(): Map<string, string> {
  const { exports } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string | { default: string }> };
  const sources = new Map<string, string>();
  for (const [subpath, target] of Object.entries(exports)) {
    if (typeof target === 'string') continue; // ./package.json
    sources.set(subpath === '.' ? 'remotetask' : `remotetask/${subpath.slice(2)}`, join(REPO_ROOT, target.default.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts')));
  }
  return sources;
}

/**
 * Compiles a server of the benchmark, with remotetask's source, into one JavaScript file under
 * bench/.build (npm packages stay external and load from node_modules, as in a deployment).
 * esbuild comes with tsx, a dependency of remotetask. Returns the file's path.
 */
export async function bundleServer(entry: string): Promise<string> {
  const outdir = join(REPO_ROOT, 'bench', '.build');
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, entry.replace(/^.*\//, '').replace(/\.ts$/, '.mjs'));
  const sources = entryPointSources();
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
          b.onResolve({ filter: /^remotetask(\/[\w-]+)?$/ }, (args) => {
            const path = sources.get(args.path);
            if (!path) throw new Error(`${args.path} is not an entry point of remotetask's package.json`);
            return { path };
          });
          // Every other package import stays external.
          b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('/') ? undefined : { path: args.path, external: true }));
        },
      },
    ],
  });
  return outfile;
}
