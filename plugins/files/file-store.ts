import { createWriteStream } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { contentTypeOf } from './content-type.js';
import { cleanFileName } from './content-disposition.js';
import { isFileId, newFileId } from './file-id.js';

/** A stored file, as its JSON sidecar keeps it. */
export interface StoredFile {
  /** Random, 22 characters of base64url: never a path. */
  id: string;
  /** The original name (uploads) or the name its producer gave; served in Content-Disposition. */
  name: string;
  size: number;
  /** The content type, by the name's extension. */
  type: string;
  /** ISO 8601. */
  created: string;
  /** When the sweep removes it (ISO 8601), or null when files never expire. */
  expires: string | null;
  /** Whatever its producer noted (the job that made it, …). */
  meta?: Record<string, unknown>;
}

/** Where a new file's bytes come from. */
export type FileSource = Readable | AsyncIterable<Uint8Array> | Uint8Array | string;

export interface CreateFileOptions {
  name: string;
  /** Refuse (FileTooLargeError, nothing kept) a source longer than this; default the store's limit. */
  maxSize?: number;
  meta?: Record<string, unknown>;
  signal?: AbortSignal;
}

/**
 * A file being made by someone who writes to a path (ffmpeg, say): write `path`, then `commit()`
 * to make it a stored file, or `discard()` to remove whatever was written. Until it is committed,
 * it is invisible: no id lookup finds it.
 */
export interface PendingFile {
  readonly id: string;
  /** The absolute path to write; it does not exist yet. */
  readonly path: string;
  commit(): Promise<StoredFile>;
  discard(): Promise<void>;
}

export interface FileStoreOptions {
  /** An absolute directory; created when missing. */
  dir: string;
  /** How long files are kept (ms); null: forever. */
  retentionMs: number | null;
  /** The largest file `create` accepts (bytes). */
  maxFileSize: number;
  /** Milliseconds since the epoch; tests pass a fake clock. */
  clock?: () => number;
  /**
   * Leftovers of a crash (a `.part` nobody finished, bytes without a sidecar) are removed by the
   * sweep once untouched this long (ms). Default one day: longer than any upload or conversion.
   */
  staleAfterMs?: number;
}

/** Thrown for an id that names no (live) file. `code` is `unknown_file`. */
export class FileNotFoundError extends Error {
  readonly code = 'unknown_file';
  constructor(readonly id: string) {
    super(`file ${JSON.stringify(id)} does not exist (it may have expired or been deleted)`);
    this.name = 'FileNotFoundError';
  }

  /** By its code, not `instanceof`: plugins loaded through another module graph have their own copy of this class. */
  static is(error: unknown): error is FileNotFoundError {
    return (error as { code?: unknown })?.code === 'unknown_file';
  }
}

/** Thrown when a new file's source is longer than allowed. `code` is `file_too_large`. */
export class FileTooLargeError extends Error {
  readonly code = 'file_too_large';
  constructor(readonly limit: number) {
    super(`the file is larger than the limit of ${limit} bytes`);
    this.name = 'FileTooLargeError';
  }

  static is(error: unknown): error is FileTooLargeError {
    return (error as { code?: unknown })?.code === 'file_too_large';
  }
}

const PART = '.part';
const SIDECAR = '.json';
const DAY_MS = 86_400_000;

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Files by random id in one directory: `<id>` holds the bytes, `<id>.json` the metadata. The
 * sidecar is written last (through a temporary name and a rename), so a file exists exactly when
 * its sidecar does: a crash or an aborted upload leaves no half-written file behind a valid id.
 * Several processes (the web server and workers) may share the directory.
 */
export class FileStore {
  readonly dir: string;
  readonly retentionMs: number | null;
  readonly maxFileSize: number;
  readonly #clock: () => number;
  readonly #staleAfterMs: number;

  constructor(options: FileStoreOptions) {
    this.dir = options.dir;
    this.retentionMs = options.retentionMs;
    this.maxFileSize = options.maxFileSize;
    this.#clock = options.clock ?? Date.now;
    this.#staleAfterMs = options.staleAfterMs ?? DAY_MS;
  }

  /** The API path a file is downloaded from. */
  static urlOf(id: string): string {
    return `/api/files/${id}`;
  }

  urlOf(id: string): string {
    return FileStore.urlOf(id);
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  /** Stores the bytes of `source` as a new file; refuses (and keeps nothing) past `maxSize`. */
  async create(source: FileSource, options: CreateFileOptions): Promise<StoredFile> {
    const limit = options.maxSize ?? this.maxFileSize;
    const pending = await this.allocate({ name: options.name, meta: options.meta });
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > limit) done(new FileTooLargeError(limit));
        else done(null, chunk);
      },
    });
    const input = typeof source === 'string' || source instanceof Uint8Array ? Readable.from([Buffer.from(source)]) : source;
    try {
      await pipeline(input, count, createWriteStream(pending.path, { flags: 'wx', mode: 0o600 }), { signal: options.signal });
      return await pending.commit();
    } catch (error) {
      await pending.discard();
      throw error;
    }
  }

  /** A new file to be written at a path, then committed or discarded (see {@link PendingFile}). */
  async allocate(options: { name: string; meta?: Record<string, unknown> }): Promise<PendingFile> {
    await this.init();
    const id = newFileId();
    const path = join(this.dir, id + PART);
    const name = cleanFileName(options.name);
    let settled = false;
    return {
      id,
      path,
      commit: async () => {
        if (settled) throw new Error(`file ${id} was already committed or discarded`);
        const { size } = await stat(path);
        await rename(path, this.#dataPath(id));
        const now = this.#clock();
        const file: StoredFile = {
          id,
          name,
          size,
          type: contentTypeOf(name),
          created: new Date(now).toISOString(),
          expires: this.retentionMs === null ? null : new Date(now + this.retentionMs).toISOString(),
          ...(options.meta ? { meta: options.meta } : {}),
        };
        const sidecar = this.#sidecarPath(id);
        try {
          await writeFile(sidecar + PART, `${JSON.stringify(file, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
          await rename(sidecar + PART, sidecar);
        } catch (error) {
          await Promise.all([rm(sidecar + PART, { force: true }), rm(this.#dataPath(id), { force: true })]);
          throw error;
        }
        settled = true;
        return file;
      },
      discard: async () => {
        settled = true;
        await rm(path, { force: true });
      },
    };
  }

  /** The file's metadata, or undefined when there is no such file (or it has expired). */
  async get(id: string): Promise<StoredFile | undefined> {
    if (!isFileId(id)) return undefined;
    let text: string;
    try {
      text = await readFile(this.#sidecarPath(id), 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    let file: StoredFile;
    try {
      file = JSON.parse(text) as StoredFile;
    } catch {
      return undefined;
    }
    return this.#isExpired(file) ? undefined : file;
  }

  /** The absolute path of the file's bytes, for tasks that read it; FileNotFoundError when there is none. */
  async path(id: string): Promise<string> {
    await this.#require(id);
    const path = this.#dataPath(id);
    try {
      await stat(path);
    } catch (error) {
      if (isMissing(error)) throw new FileNotFoundError(id);
      throw error;
    }
    return path;
  }

  /**
   * Opens the file for reading: its metadata, an open handle and its size as opened. The handle
   * stays valid even if the file is deleted meanwhile; the caller closes it.
   */
  async open(id: string): Promise<{ file: StoredFile; handle: FileHandle; size: number }> {
    const file = await this.#require(id);
    let handle: FileHandle;
    try {
      handle = await open(this.#dataPath(id), 'r');
    } catch (error) {
      if (isMissing(error)) throw new FileNotFoundError(id);
      throw error;
    }
    try {
      const { size } = await handle.stat();
      return { file, handle, size };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Removes a file; returns whether there was one. */
  async delete(id: string): Promise<boolean> {
    if (!isFileId(id)) return false;
    const existed = (await this.get(id)) !== undefined;
    await this.#remove(id);
    return existed;
  }

  /**
   * Removes expired files, and leftovers untouched for `staleAfterMs` (a `.part` of an upload or
   * conversion that died with its process, bytes whose sidecar is gone). Touches nothing else in
   * the directory. Returns how many files it removed.
   */
  async sweep(): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if (isMissing(error)) return 0;
      throw error;
    }
    const now = this.#clock();
    const present = new Set(names);
    let removed = 0;
    const isStale = async (name: string) => {
      try {
        return now - (await stat(join(this.dir, name))).mtimeMs > this.#staleAfterMs;
      } catch {
        return false;
      }
    };
    for (const name of names) {
      if (name.endsWith(SIDECAR)) {
        const id = name.slice(0, -SIDECAR.length);
        if (!isFileId(id)) continue;
        let file: StoredFile | undefined;
        try {
          file = JSON.parse(await readFile(join(this.dir, name), 'utf8')) as StoredFile;
        } catch (error) {
          if (isMissing(error)) continue;
          // An unreadable sidecar: its file cannot be served; remove it once it is old.
        }
        if (file ? this.#isExpired(file, now) : await isStale(name)) {
          await this.#remove(id);
          removed++;
        }
      } else if (name.endsWith(PART)) {
        const stem = name.slice(0, -PART.length);
        if ((isFileId(stem) || (stem.endsWith(SIDECAR) && isFileId(stem.slice(0, -SIDECAR.length)))) && (await isStale(name))) {
          await rm(join(this.dir, name), { force: true });
        }
      } else if (isFileId(name) && !present.has(name + SIDECAR) && (await isStale(name))) {
        await rm(join(this.dir, name), { force: true });
      }
    }
    return removed;
  }

  async #require(id: string): Promise<StoredFile> {
    const file = await this.get(id);
    if (!file) throw new FileNotFoundError(id);
    return file;
  }

  /** The sidecar goes first: from then on the file does not exist for anyone. */
  async #remove(id: string): Promise<void> {
    await rm(this.#sidecarPath(id), { force: true });
    await rm(this.#dataPath(id), { force: true });
  }

  #isExpired(file: StoredFile, now = this.#clock()): boolean {
    return file.expires !== null && Date.parse(file.expires) <= now;
  }

  #dataPath(id: string): string {
    return join(this.dir, id);
  }

  #sidecarPath(id: string): string {
    return join(this.dir, id + SIDECAR);
  }
}
