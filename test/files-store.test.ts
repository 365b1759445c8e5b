/**
 * The files plugin's store: random ids, a JSON sidecar per file, nothing half-written left behind,
 * expiry by a sweep on a (fake) clock, and `filesOf` for tasks.
 */
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKernel, SimpleTask, definePlugin } from '../core/index.js';
import { FileNotFoundError, FileStore, FileTooLargeError, filesOf } from '../plugins/files/index.js';
import { captureLog } from './helpers/capture-log.js';

const DAY = 86_400_000;
let dir: string;
let now: number;
let store: FileStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'remotetask-files-'));
  now = Date.parse('2030-01-01T00:00:00Z');
  store = new FileStore({ dir, retentionMs: 7 * DAY, maxFileSize: 1000, clock: () => now });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entries = async () => (await readdir(dir)).sort();

describe('FileStore', () => {
  it('keeps the bytes under a random id and the metadata in a JSON sidecar', async () => {
    const file = await store.create('hello', { name: 'greeting.txt', meta: { by: 'test' } });
    expect(file).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      name: 'greeting.txt',
      size: 5,
      type: 'text/plain; charset=utf-8',
      created: '2030-01-01T00:00:00.000Z',
      expires: '2030-01-08T00:00:00.000Z',
      meta: { by: 'test' },
    });
    expect(await entries()).toEqual([file.id, `${file.id}.json`].sort());
    expect(JSON.parse(await readFile(join(dir, `${file.id}.json`), 'utf8'))).toEqual(file);
    expect(await readFile(await store.path(file.id), 'utf8')).toBe('hello');
    expect(await store.get(file.id)).toEqual(file);
    const other = await store.create('hello', { name: 'greeting.txt' });
    expect(other.id).not.toBe(file.id);
  });

  it('takes streams and async iterables; the name is cleaned of paths', async () => {
    const fromStream = await store.create(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), { name: '../../etc/passwd' });
    expect(fromStream).toMatchObject({ size: 4, name: 'passwd', type: 'application/octet-stream' });
    async function* chunks() {
      yield new Uint8Array([1, 2, 3]);
    }
    expect(await store.create(chunks(), { name: 'x.mp4' })).toMatchObject({ size: 3, type: 'video/mp4' });
  });

  it('a file over the limit is refused and nothing is left', async () => {
    await expect(store.create(Buffer.alloc(1001), { name: 'big.bin' })).rejects.toThrow(FileTooLargeError);
    await expect(store.create(Buffer.alloc(100), { name: 'big.bin', maxSize: 99 })).rejects.toThrow(/larger than the limit of 99 bytes/);
    expect(await entries()).toEqual([]);
    expect(await store.create(Buffer.alloc(1000), { name: 'exact.bin' })).toMatchObject({ size: 1000 });
  });

  it('a source that fails halfway, or an abort, leaves nothing', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(10));
        this.destroy(new Error('the client went away'));
      },
    });
    await expect(store.create(failing, { name: 'a.bin' })).rejects.toThrow('the client went away');
    const controller = new AbortController();
    const endless = new Readable({
      read() {
        this.push(Buffer.alloc(10));
        controller.abort();
      },
    });
    await expect(store.create(endless, { name: 'b.bin', signal: controller.signal })).rejects.toThrow(/abort/i);
    expect(await entries()).toEqual([]);
  });

  it('allocate: written at a path, invisible until committed, gone when discarded', async () => {
    const pending = await store.allocate({ name: 'out.mp4' });
    await writeFile(pending.path, 'video');
    expect(await store.get(pending.id)).toBeUndefined();
    await expect(store.path(pending.id)).rejects.toThrow(FileNotFoundError);
    const file = await pending.commit();
    expect(file).toMatchObject({ id: pending.id, size: 5, type: 'video/mp4' });
    expect(await store.get(pending.id)).toEqual(file);
    await expect(pending.commit()).rejects.toThrow(/already committed/);

    const dropped = await store.allocate({ name: 'out.mp4' });
    await writeFile(dropped.path, 'half a vid');
    await dropped.discard();
    expect(await entries()).toEqual([file.id, `${file.id}.json`].sort());
  });

  it('unknown and malformed ids are not found; nothing outside the directory is touched', async () => {
    for (const id of ['A'.repeat(22), '../../etc/passwd', '', 'a/b']) {
      expect(await store.get(id)).toBeUndefined();
      await expect(store.path(id)).rejects.toThrow(/does not exist/);
      expect(await store.delete(id)).toBe(false);
    }
    const error = await store.path('A'.repeat(22)).catch((caught: unknown) => caught);
    expect(FileNotFoundError.is(error)).toBe(true);
  });

  it('delete removes both files', async () => {
    const file = await store.create('x', { name: 'x' });
    expect(await store.delete(file.id)).toBe(true);
    expect(await store.delete(file.id)).toBe(false);
    expect(await entries()).toEqual([]);
  });

  it('files expire after the retention: invisible at once, removed by the sweep; other files stay', async () => {
    const old = await store.create('old', { name: 'old.txt' });
    now += 3 * DAY;
    const young = await store.create('young', { name: 'young.txt' });
    await writeFile(join(dir, 'README'), 'not ours');
    now += 4 * DAY;
    expect(await store.get(old.id)).toBeUndefined();
    expect(await store.get(young.id)).toBeDefined();
    expect(await store.sweep()).toBe(1);
    expect(await entries()).toEqual(['README', young.id, `${young.id}.json`].sort());
    now += 3 * DAY;
    expect(await store.sweep()).toBe(1);
    expect(await entries()).toEqual(['README']);
  });

  it('the sweep removes leftovers of crashed writers once stale, not while they may still be written', async () => {
    const pending = await store.allocate({ name: 'in-progress.mp4' });
    await writeFile(pending.path, 'partial');
    const orphanId = 'B'.repeat(22);
    await writeFile(join(dir, orphanId), 'bytes without sidecar');
    const touchedAt = new Date(now);
    await utimes(pending.path, touchedAt, touchedAt);
    await utimes(join(dir, orphanId), touchedAt, touchedAt);
    now += DAY / 2;
    await store.sweep();
    expect(await entries()).toEqual([orphanId, `${pending.id}.part`].sort());
    now += DAY;
    await store.sweep();
    expect(await entries()).toEqual([]);
  });

  it('without retention, files never expire', async () => {
    const forever = new FileStore({ dir, retentionMs: null, maxFileSize: 10, clock: () => now });
    const file = await forever.create('x', { name: 'x' });
    expect(file.expires).toBeNull();
    now += 10_000 * DAY;
    expect(await forever.sweep()).toBe(0);
    expect(await forever.get(file.id)).toEqual(file);
  });
});

describe('the files plugin', () => {
  it('binds its store for filesOf(kernel) and filesOf(context), and sweeps at boot by the kernel\'s clock', async () => {
    const expired = await store.create('x', { name: 'x' });
    const kept = await store.create('y', { name: 'y' });
    await writeFile(join(dir, `${kept.id}.json`), JSON.stringify({ ...kept, expires: '2030-02-01T00:00:00.000Z' }));
    let seen: string | undefined;
    const reader = definePlugin({
      name: 'reader',
      dependencies: ['files'],
      register(ctx) {
        ctx.addTask('read', new SimpleTask(async (input: { id: string }, context) => {
          const files = filesOf(context);
          seen = await readFile(await files.path(input.id), 'utf8');
          return (await files.create(seen.toUpperCase(), { name: 'upper.txt' })).id;
        }));
      },
    });
    const kernel = await createKernel(
      { store: { kind: 'memory' }, plugins: [['files', { dir, retention: '7d' }], reader], sites: { '': { services: { S: {} } } } },
      { clock: () => now + 10 * DAY, logger: captureLog().logger },
    );
    try {
      const files = filesOf(kernel);
      expect(files.dir).toBe(dir);
      expect(await files.get(expired.id)).toBeUndefined();
      expect(await entries()).toEqual([kept.id, `${kept.id}.json`].sort());
      const service = kernel.getService('@S');
      const job = await service.add('read', { id: kept.id });
      await service.processNext();
      expect(seen).toBe('y');
      const made = await files.get((await service.getResult(job)) as string);
      expect(made).toMatchObject({ name: 'upper.txt', size: 1, created: new Date(now + 10 * DAY).toISOString() });
    } finally {
      await kernel.close();
    }
  });

  it('filesOf says what is missing without the plugin', async () => {
    const kernel = await createKernel({ store: { kind: 'memory' } }, { logger: captureLog().logger });
    try {
      expect(() => filesOf(kernel)).toThrow('there is no file store: add the "files" plugin to the config\'s plugins');
    } finally {
      await kernel.close();
    }
  });
});
