import type { Kernel, Site, TaskContext } from 'remotetask';
import type { FileStore } from './file-store.js';

/** Where the files plugin binds its store in the kernel's root container. */
export const FileStoreToken = Symbol.for('remotetask.files.store');

function rootOf(site: Site): Site {
  let root = site;
  while (root.parent) root = root.parent;
  return root;
}

/**
 * The file store of a kernel, for tasks and plugins: `filesOf(context)` in a task's `run`,
 * `filesOf(kernel)` elsewhere. Throws a clear error when the files plugin is not loaded.
 */
export function filesOf(from: Kernel | TaskContext): FileStore {
  const root = 'jobId' in from ? rootOf(from.service.site) : from.root;
  if (!root.container.isBound(FileStoreToken)) {
    throw new Error('there is no file store: add the "files" plugin to the config\'s plugins');
  }
  return root.container.get<FileStore>(FileStoreToken);
}
