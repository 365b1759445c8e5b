import type { Kernel, TaskContext, Token } from 'remotetask';
import type { CreateFileOptions, FileSource, FileStore, PendingFile, StoredFile } from './file-store.js';

/** The file store the files plugin provides (`ctx.provide`): a root singleton. */
export const FileStoreToken: Token<FileStore> = Symbol.for('remotetask.files.store');

/** What a task reads its input files and writes its results through: a FileStore's task-side calls. */
export interface TaskFiles {
  get(id: string): Promise<StoredFile | undefined>;
  /** A local path to read the file's bytes from. */
  path(id: string): Promise<string>;
  allocate(options: { name: string; meta?: Record<string, unknown> }): Promise<PendingFile>;
  create(source: FileSource, options: CreateFileOptions): Promise<StoredFile>;
  urlOf(id: string): string;
}

/**
 * Files held elsewhere, reached per job: an agent's, over the server's HTTP files API, which lets it
 * read and write only for jobs it holds. Bound in place of a FileStore, `filesOf(context)` prefers it.
 */
export interface JobFiles {
  forJob(context: TaskContext): TaskFiles;
}

export const JobFilesToken: Token<JobFiles> = Symbol.for('remotetask.files.job-files');

const missing = () => new Error('there is no file store: add the "files" plugin to the config\'s plugins');

/**
 * The file store of a kernel, for tasks and plugins: `filesOf(context)` in a task's `run`,
 * `filesOf(kernel)` elsewhere. Throws a clear error when the files plugin is not loaded.
 */
export function filesOf(from: Kernel): FileStore;
export function filesOf(from: TaskContext): TaskFiles;
export function filesOf(from: Kernel | TaskContext): FileStore | TaskFiles {
  if ('jobId' in from) {
    const remote = from.lookup(JobFilesToken);
    if (remote) return remote.forJob(from);
  }
  const store = from.lookup(FileStoreToken);
  if (!store) throw missing();
  return store;
}
