#!/usr/bin/env node
// Runs the CLI from source in a clone (through tsx, so no build step is needed and nothing is
// stale), from the compiled dist/ in an installed package. The web service's plugin brings the
// `serve` and `hash-password` commands, the agents plugin `agent`, whether or not the config names them.
import { existsSync } from 'node:fs';

const CLI_PLUGINS = ['http', 'agents'];

const source = new URL('../core/cli/main.ts', import.meta.url);
let main;
if (existsSync(source)) {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    console.error('remotetask: running from a clone needs tsx, a devDependency: run `npm install` (or `npm run build` and use dist/)');
    process.exit(1);
  }
  tsx.register();
  main = await import(source.href);
} else {
  main = await import(new URL('../dist/core/cli/main.js', import.meta.url).href);
}
await main.runCli(process.argv, { plugins: CLI_PLUGINS });
