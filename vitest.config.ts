import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Plugins import the public API as 'remotetask', as plugin authors do; tests run it from source.
    // Exact-match patterns, so 'remotetask' does not also capture 'remotetask/client'.
    alias: [
      { find: /^remotetask$/, replacement: fileURLToPath(new URL('./core/index.ts', import.meta.url)) },
      { find: /^remotetask\/client$/, replacement: fileURLToPath(new URL('./core/client/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['core/**/*.test.ts', 'plugins/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
