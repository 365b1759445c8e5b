import { definePlugin, optionsCheckedBy } from 'remotetask';
import { HttpRoutes } from 'remotetask/http';
import { FileStore } from './file-store.js';
import { FileStoreToken } from './files-of.js';
import { resolveFilesSettings } from './files-options.js';
import { filesRoutes } from './files-routes.js';

export {
  FileStore,
  FileNotFoundError,
  FileTooLargeError,
  type StoredFile,
  type PendingFile,
  type FileSource,
  type CreateFileOptions,
  type FileStoreOptions,
} from './file-store.js';
export { filesOf, FileStoreToken, JobFilesToken, type JobFiles, type TaskFiles } from './files-of.js';
export { isFileId, newFileId, FILE_ID_PATTERN } from './file-id.js';
export { contentTypeOf } from './content-type.js';
export { toFileJson } from './files-routes.js';
export type { FileJson } from './file-json.js';
export { type FilesPluginOptions, type FilesSettings, resolveFilesSettings } from './files-options.js';

/**
 * A file store: uploads and downloads over HTTP (`/api/files`), and `filesOf(kernel | context)`
 * for tasks that read inputs and write results. Files get random ids, expire after `retention`
 * (swept at boot and hourly) and live in `dir` (default `./data/files` next to the config).
 *
 * Its routes are a contribution to the http plugin: served wherever that plugin runs (`remotetask
 * serve`), behind its authentication. Workers without HTTP load `files` too, for the store alone,
 * so it names no hard dependency on `http`.
 */
export default definePlugin({
  name: 'files',
  version: '1.0.0',
  // Checked with the config at boot; `dir` resolves against the config's directory later.
  options: optionsCheckedBy((options: Record<string, unknown>) => resolveFilesSettings(options, '.')),
  register(ctx) {
    const settings = resolveFilesSettings(ctx.options, ctx.baseDir);
    // The kernel's clock (a fake one in tests) once the kernel exists.
    let clock: () => number = Date.now;
    const store = new FileStore({ ...settings, clock: () => clock() });
    ctx.provide(FileStoreToken, store);
    ctx.contribute(HttpRoutes, filesRoutes(store));

    let sweeper: NodeJS.Timeout | undefined;
    const sweep = async () => {
      try {
        const removed = await store.sweep();
        if (removed > 0) ctx.logger.info(`removed ${removed} expired file(s) from ${store.dir}`);
      } catch (error) {
        ctx.logger.warn(`sweeping ${store.dir} failed: ${(error as Error).message}`);
      }
    };
    ctx.on('bootstrap', async (kernel) => {
      clock = kernel.clock;
      await store.init();
      await sweep();
      if (settings.retentionMs !== null) {
        sweeper = setInterval(() => void sweep(), settings.sweepIntervalMs);
        sweeper.unref();
      }
    });
    ctx.on('close', () => clearInterval(sweeper));
  },
});
