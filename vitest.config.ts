import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Plugins import the public API as 'remotetask', as plugin authors do; tests run it from source.
    // Exact-match patterns, so 'remotetask' does not also capture 'remotetask/client'. The same
    // entry points as package.json's `exports` and tsconfig's `paths`.
    alias: Object.entries({
      remotetask: './core/index.ts',
      'remotetask/client': './core/client/index.ts',
      'remotetask/cli': './core/cli/index.ts',
      'remotetask/http': './plugins/http/public.ts',
      'remotetask/dashboard': './plugins/dashboard/public.ts',
    }).map(([name, path]) => ({ find: new RegExp(`^${name.replace('/', '\\/')}$`), replacement: fileURLToPath(new URL(path, import.meta.url)) })),
  },
  test: {
    include: ['core/**/*.test.ts', 'plugins/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
