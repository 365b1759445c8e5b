/**
 * The files API over a real socket: multipart upload streamed to disk, download with ranges,
 * delete, 404, 413 and aborted uploads leaving nothing behind, and the http plugin's users.
 */
import { request as httpRequest } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../core/index.js';
import { buildHttpApp } from '../plugins/http/index.js';
import { HttpUsers } from '../plugins/http/auth/http-users.js';
import { captureLog } from './helpers/capture-log.js';
import { waitUntil } from './helpers/wait-for.js';

const LIMIT = 64 * 1024;
let dir: string;
let kernel: Kernel;
let app: FastifyInstance;
let base: string;

async function serve(users?: HttpUsers): Promise<{ app: FastifyInstance; base: string }> {
  const server = await buildHttpApp(kernel, { ...(users ? { users } : {}), logger: captureLog().logger });
  await server.listen({ host: '127.0.0.1', port: 0 });
  return { app: server, base: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'remotetask-files-http-'));
  kernel = await createKernel(
    { store: { kind: 'memory' }, plugins: [['files', { dir, maxFileSize: LIMIT }]] },
    { logger: captureLog().logger },
  );
  ({ app, base } = await serve());
});
afterAll(async () => {
  await app?.close();
  await kernel?.close();
  await rm(dir, { recursive: true, force: true });
});

const bytes = (length: number) => Buffer.from(Array.from({ length }, (_, index) => index % 251));

function form(content: Buffer, name = 'clip.avi'): FormData {
  const data = new FormData();
  data.append('file', new Blob([content]), name);
  return data;
}

async function upload(content: Buffer, name?: string, headers: Record<string, string> = {}, url = base): Promise<Response> {
  return fetch(`${url}/api/files`, { method: 'POST', body: form(content, name), headers });
}

/** The JSON body, loosely typed for assertions. */
const json = (response: Response): Promise<any> => response.json();

/** Every file in the store's directory, partial ones included. */
const entries = async () => (await readdir(dir)).sort();

describe('upload and download', () => {
  it('POST /api/files streams the upload to disk: 201 with its id, name and size', async () => {
    const content = bytes(5000);
    const response = await upload(content, 'Mein Urlaub – Übersee.avi');
    expect(response.status).toBe(201);
    const file = await json(response);
    expect(file).toMatchObject({ id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), name: 'Mein Urlaub – Übersee.avi', size: 5000, type: 'video/x-msvideo' });
    expect(file.url).toBe(`/api/files/${file.id}`);
    expect(response.headers.get('location')).toBe(file.url);

    const download = await fetch(`${base}${file.url}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(content);
    expect(download.headers.get('content-type')).toBe('video/x-msvideo');
    expect(download.headers.get('content-length')).toBe('5000');
    expect(download.headers.get('accept-ranges')).toBe('bytes');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('content-disposition')).toBe(
      `attachment; filename="Mein Urlaub _ _bersee.avi"; filename*=UTF-8''Mein%20Urlaub%20%E2%80%93%20%C3%9Cbersee.avi`,
    );

    const info = await fetch(`${base}${file.url}/info`);
    expect(await json(info)).toEqual(file);
    const head = await fetch(`${base}${file.url}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('5000');
    expect(await head.text()).toBe('');
  });

  it('a file of exactly the limit is fine; an empty one too', async () => {
    expect((await upload(bytes(LIMIT))).status).toBe(201);
    const empty = await json(await upload(Buffer.alloc(0), 'empty.txt'));
    expect(empty.size).toBe(0);
    const download = await fetch(`${base}${empty.url}`);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('');
  });

  describe('ranges', () => {
    let url: string;
    const content = bytes(1000);
    beforeAll(async () => {
      url = `${base}${(await json(await upload(content, 'r.bin'))).url}`;
    });

    it.each([
      ['bytes=0-9', 0, 9],
      ['bytes=990-', 990, 999],
      ['bytes=-5', 995, 999],
      ['bytes=500-5000', 500, 999],
    ])('%s: 206 with Content-Range', async (range, start, end) => {
      const response = await fetch(url, { headers: { range } });
      expect(response.status).toBe(206);
      expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/1000`);
      expect(response.headers.get('content-length')).toBe(String(end - start + 1));
      expect(Buffer.from(await response.arrayBuffer())).toEqual(content.subarray(start, end + 1));
    });

    it.each(['bytes=1000-', 'bytes=5-2', 'bytes=-0', 'bytes=x-y'])('%s: 416 with the size', async (range) => {
      const response = await fetch(url, { headers: { range } });
      expect(response.status).toBe(416);
      expect(response.headers.get('content-range')).toBe('bytes */1000');
      expect((await json(response)).error.code).toBe('range_not_satisfiable');
    });

    it('several ranges, another unit, or a stale If-Range: the whole file', async () => {
      const cases: Array<Record<string, string>> = [{ range: 'bytes=0-1,5-6' }, { range: 'items=0-1' }, { range: 'bytes=0-1', 'if-range': '"other"' }];
      for (const headers of cases) {
        const response = await fetch(url, { headers });
        expect(response.status).toBe(200);
        expect((await response.arrayBuffer()).byteLength).toBe(1000);
      }
      const etag = (await fetch(url, { method: 'HEAD' })).headers.get('etag')!;
      expect((await fetch(url, { headers: { range: 'bytes=0-1', 'if-range': etag } })).status).toBe(206);
    });
  });
});

describe('refusals', () => {
  it('over the limit: 413, and nothing is left on disk (by Content-Length, or while streaming)', async () => {
    const before = await entries();
    const plainlyTooLarge = await upload(bytes(LIMIT * 4));
    expect(plainlyTooLarge.status).toBe(413);
    expect((await json(plainlyTooLarge)).error).toEqual({
      code: 'payload_too_large',
      message: `the file is larger than the server accepts: ${LIMIT} bytes (files plugin option maxFileSize)`,
    });
    const justOver = await upload(bytes(LIMIT + 1));
    expect(justOver.status).toBe(413);
    await waitUntil(async () => (await entries()).length === before.length, { timeout: 5000, what: 'no partial upload left' });
    expect(await entries()).toEqual(before);
  });

  it('an upload aborted halfway leaves nothing behind', async () => {
    const before = await entries();
    const boundary = 'xBOUNDARYx';
    const head = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="cut.avi"\r\ncontent-type: video/x-msvideo\r\n\r\n`;
    const { port } = new URL(base);
    const request = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/files',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + 50_000 + 100) },
    });
    request.on('error', () => {});
    request.write(head);
    request.write(bytes(20_000));
    // The upload has started: a partial file exists. Then the client goes away.
    await waitUntil(async () => (await entries()).some((name) => name.endsWith('.part')), { timeout: 5000, what: 'the upload to start' });
    request.destroy();
    await waitUntil(async () => (await entries()).length === before.length, { timeout: 5000, what: 'the partial upload to be removed' });
    expect(await entries()).toEqual(before);
  });

  it('unknown, malformed and deleted ids: 404', async () => {
    for (const id of ['A'.repeat(22), 'not-an-id', '..%2F..%2Fetc%2Fpasswd']) {
      const response = await fetch(`${base}/api/files/${id}`);
      expect(response.status).toBe(404);
      expect((await json(response)).error.code).toBe('unknown_file');
    }
    const { url } = await json(await upload(bytes(10)));
    const deleted = await fetch(`${base}${url}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect((await fetch(`${base}${url}`)).status).toBe(404);
    expect((await fetch(`${base}${url}`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${base}${url}/info`)).status).toBe(404);
  });

  it('not multipart, or no file in the form: clear errors', async () => {
    const notMultipart = await fetch(`${base}/api/files`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(notMultipart.status).toBe(415);
    expect((await json(notMultipart)).error.message).toBe('upload the file as multipart/form-data, in a form with one file field');
    const fieldsOnly = new FormData();
    fieldsOnly.append('name', 'x');
    const noFile = await fetch(`${base}/api/files`, { method: 'POST', body: fieldsOnly });
    expect(noFile.status).toBe(400);
    expect((await json(noFile)).error.message).toMatch(/the form holds no file/);
  });
});

it('the routes are in the OpenAPI document', async () => {
  const document = await json(await fetch(`${base}/openapi.json`));
  expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/files', '/api/files/{id}', '/api/files/{id}/info']));
  expect(Object.keys(document.paths['/api/files/{id}'])).toEqual(expect.arrayContaining(['get', 'delete']));
});

describe('with users', () => {
  let secured: { app: FastifyInstance; base: string };
  const as = (user: string) => ({ authorization: `Basic ${Buffer.from(`${user}:secret-${user}`).toString('base64')}` });

  beforeAll(async () => {
    const users = HttpUsers.fromConfig(
      { boss: { role: 'manager', passwordEnv: 'BOSS_PW' }, watcher: { role: 'viewer', passwordEnv: 'WATCHER_PW' } },
      { BOSS_PW: 'secret-boss', WATCHER_PW: 'secret-watcher' },
    );
    secured = await serve(users);
  });
  afterAll(async () => {
    await secured?.app.close();
  });

  it('a viewer may download but not upload or delete; a manager may; nobody else may do anything', async () => {
    const created = await upload(bytes(100), 'a.mp4', as('boss'), secured.base);
    expect(created.status).toBe(201);
    const { url } = await json(created);
    expect((await upload(bytes(100), 'b.mp4', as('watcher'), secured.base)).status).toBe(403);
    expect((await upload(bytes(100), 'c.mp4', {}, secured.base)).status).toBe(401);

    const download = await fetch(`${secured.base}${url}`, { headers: as('watcher') });
    expect(download.status).toBe(200);
    expect((await download.arrayBuffer()).byteLength).toBe(100);
    expect((await fetch(`${secured.base}${url}`)).status).toBe(401);

    const forbidden = await fetch(`${secured.base}${url}`, { method: 'DELETE', headers: as('watcher') });
    expect(forbidden.status).toBe(403);
    expect((await json(forbidden)).error.code).toBe('forbidden');
    expect((await fetch(`${secured.base}${url}`, { method: 'DELETE', headers: as('boss') })).status).toBe(204);
  });
});
