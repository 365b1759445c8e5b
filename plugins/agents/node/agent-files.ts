import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { TaskContext } from 'remotetask';
import { type CreateFileOptions, FileNotFoundError, type FileJson, type FileSource, type JobFiles, type PendingFile, type StoredFile, type TaskFiles } from '../../files/index.js';
import type { AgentConnection } from './agent-connection.js';

const FILES_URL = '/api/files/';

/** Safe for a local file name: the server names the file, this only keeps the extension readable. */
const localName = (name: string) => name.replace(/[^A-Za-z0-9._-]/g, '_').slice(-100) || 'file';

function stored(json: FileJson): StoredFile {
  const { url: _url, ...file } = json;
  return file;
}

/**
 * An agent's files: the server's, through its files API for agents. A job's input files are
 * downloaded into a directory of the job's own (the task reads a local path), its outputs are
 * written locally and uploaded on commit; each job's directory goes when the job ends, and the
 * whole lot when the agent stops.
 */
export class AgentFiles implements JobFiles {
  #root?: Promise<string>;

  constructor(private readonly connection: AgentConnection) {}

  forJob(context: TaskContext): TaskFiles {
    return new AgentJobFiles(this.connection, context.jobId, () => this.#dirOf(context.jobId), context.signal);
  }

  async #dirOf(jobId: number): Promise<string> {
    this.#root ??= mkdtemp(join(tmpdir(), 'remotetask-agent-files-'));
    const dir = join(await this.#root, String(jobId));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /** Removes what a job downloaded and left (its run has ended). */
  async jobEnded(jobId: number): Promise<void> {
    if (this.#root) await rm(join(await this.#root, String(jobId)), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    if (this.#root) await rm(await this.#root, { recursive: true, force: true });
  }
}

class AgentJobFiles implements TaskFiles {
  readonly #base: string;

  constructor(
    private readonly connection: AgentConnection,
    jobId: number,
    private readonly dir: () => Promise<string>,
    private readonly signal: AbortSignal,
  ) {
    this.#base = `/jobs/${jobId}/files`;
  }

  urlOf(id: string): string {
    return FILES_URL + id;
  }

  async get(id: string): Promise<StoredFile | undefined> {
    try {
      const response = await this.connection.fetch(`${this.#base}/${encodeURIComponent(id)}/info`, () => ({ signal: this.signal }));
      return stored((await response.json()) as FileJson);
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  }

  /** Downloads the file (once per job) and answers where it is. A file the server does not have is a FileNotFoundError. */
  async path(id: string): Promise<string> {
    const path = join(await this.dir(), `input-${localName(id)}`);
    if (await stat(path).then(() => true, () => false)) return path;
    let response: Response;
    try {
      response = await this.connection.fetch(`${this.#base}/${encodeURIComponent(id)}`, () => ({ signal: this.signal }));
    } catch (error) {
      if ((error as { status?: number }).status === 404) throw new FileNotFoundError(id);
      throw error;
    }
    const part = `${path}.part`;
    try {
      await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(part, { mode: 0o600 }), { signal: this.signal });
      await rename(part, path);
    } catch (error) {
      await rm(part, { force: true });
      throw error;
    }
    return path;
  }

  /** A local path to write; commit() uploads it to the server (whose id the stored file has), discard() removes it. */
  async allocate(options: { name: string; meta?: Record<string, unknown> }): Promise<PendingFile> {
    const id = randomBytes(16).toString('base64url');
    const path = join(await this.dir(), `output-${id}-${localName(options.name)}`);
    let settled = false;
    return {
      id,
      path,
      commit: async () => {
        if (settled) throw new Error(`file ${id} was already committed or discarded`);
        await stat(path);
        const file = await this.#upload(options.name, () => createReadStream(path));
        settled = true;
        await rm(path, { force: true });
        return file;
      },
      discard: async () => {
        settled = true;
        await rm(path, { force: true });
      },
    };
  }

  async create(source: FileSource, options: CreateFileOptions): Promise<StoredFile> {
    // A stream can be sent once: kept as a file first, so that a repeat after a hello sends it again.
    const pending = await this.allocate({ name: options.name });
    try {
      const input = typeof source === 'string' || source instanceof Uint8Array ? Readable.from([Buffer.from(source)]) : source;
      await pipeline(input, createWriteStream(pending.path, { mode: 0o600 }), { signal: options.signal ?? this.signal });
      return await pending.commit();
    } catch (error) {
      await pending.discard();
      throw error;
    }
  }

  async #upload(name: string, open: () => Readable): Promise<StoredFile> {
    const response = await this.connection.fetch(`${this.#base}?name=${encodeURIComponent(name)}`, () => ({
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Readable.toWeb(open()) as ReadableStream<Uint8Array>,
      duplex: 'half',
      signal: this.signal,
    }) as RequestInit);
    return stored((await response.json()) as FileJson);
  }
}
