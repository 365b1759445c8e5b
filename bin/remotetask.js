#!/usr/bin/env node
// Runs the CLI from source in a clone (through tsx, so no build step is needed and nothing is
// stale), from the compiled dist/ in an installed package.
import { existsSync } from 'node:fs';

const source = new URL('../core/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/core/cli/main.js', import.meta.url).href);
}
