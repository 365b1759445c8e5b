import type { Kernel, TaskContext, Token } from 'remotetask';
import type { FileStore } from './file-store.js';

/** The file store the files plugin provides (`ctx.provide`): a root singleton. */
export const FileStoreToken: Token<FileStore> = Symbol.for('remotetask.files.store');

/**
 * The file store of a kernel, for tasks and plugins: `filesOf(context)` in a task's `run`,
 * `filesOf(kernel)` elsewhere. Throws a clear error when the files plugin is not loaded.
 */
export function filesOf(from: Kernel | TaskContext): FileStore {
  const store = from.lookup(FileStoreToken);
  if (!store) throw new Error('there is no file store: add the "files" plugin to the config\'s plugins');
  return store;
}
