import { resolve } from 'node:path';
import type { StoreConfig } from './store-config.js';
import type { JobStore } from './job-store.js';

export const DEFAULT_STORE: StoreConfig = { kind: 'sqlite', path: './data/remotetask.db' };

/** Makes the store the config asks for; a SQLite path is relative to `baseDir`. Native drivers load only when used. */
export async function createJobStore(config: StoreConfig, baseDir: string): Promise<JobStore> {
  switch (config.kind) {
    case 'memory': {
      const { MemoryJobStore } = await import('./memory/memory-job-store.js');
      return new MemoryJobStore();
    }
    case 'sqlite': {
      const { SqliteJobStore } = await import('./sqlite/sqlite-job-store.js');
      return new SqliteJobStore({ path: resolve(baseDir, config.path) });
    }
    case 'postgres': {
      const { PostgresJobStore } = await import('./postgres/postgres-job-store.js');
      return new PostgresJobStore({ url: config.url, schema: config.schema, poolSize: config.poolSize });
    }
  }
}
