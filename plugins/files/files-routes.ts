import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FileJson } from './file-json.js';
import { HttpError, type HttpRouteContribution } from 'remotetask/http';
import { contentDisposition } from './content-disposition.js';
import { FileNotFoundError, type FileStore, FileTooLargeError, type StoredFile } from './file-store.js';
import { parseRange } from './parse-range.js';

/** A stored file as the API shows it: the StoredFile and its download `url`. */
export type { FileJson };

export function toFileJson(file: StoredFile): FileJson {
  return { ...file, url: `/api/files/${file.id}` };
}

/** What multipart framing may add to a file's bytes before an upload's Content-Length is plainly too large. */
const MULTIPART_OVERHEAD = 64 * 1024;

const fileSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'random, 22 characters of base64url' },
    name: { type: 'string', description: 'the uploaded file\'s name' },
    size: { type: 'integer', description: 'bytes' },
    type: { type: 'string', description: 'the content type downloads are served with, by the name\'s extension' },
    created: { type: 'string', format: 'date-time' },
    expires: { type: ['string', 'null'], format: 'date-time', description: 'when the file is removed; null: never' },
    meta: { type: 'object', additionalProperties: true },
    url: { type: 'string', description: 'the download URL' },
  },
} as const;

const errorBody = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} } } },
} as const;
const errors = { '4xx': errorBody, '5xx': errorBody } as const;
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'the file\'s id, as the upload returned it' } },
} as const;

interface IdParams {
  id: string;
}

/** What a multipart body that cannot be read means to a client, or undefined for an error of the server. */
function multipartError(error: unknown): HttpError | undefined {
  const { code, message } = error as { code?: string; message?: string };
  if (code === 'FST_FILES_LIMIT') return new HttpError(400, 'too_many_files', 'an upload holds one file; this form holds more: send each file in its own upload');
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') return new HttpError(400, 'bad_request', `the form holds more parts than an upload may (${message})`);
  if (code === 'FST_MP_PREMATURE_CLOSE' || code === 'FST_PROTO_VIOLATION') return new HttpError(400, 'bad_request', `the upload is not a readable form: ${message}`);
  // busboy's own words for a body that is no well-formed multipart.
  if (typeof message === 'string' && /^(Multipart: |Unexpected end of |Malformed )/.test(message)) {
    return new HttpError(400, 'invalid_multipart', `the body is not well-formed multipart/form-data: ${message} (send a form with one file field and its boundary)`);
  }
  return undefined;
}

function notFound(id: string): HttpError {
  return new HttpError(404, 'unknown_file', new FileNotFoundError(id).message);
}

/**
 * The files API, contributed to the http plugin (so behind its authentication: downloads need a
 * viewer, uploads and deletes a manager):
 *
 * - `POST /api/files`: a multipart upload of one file, streamed to disk → 201 with the file;
 * - `GET /api/files/{id}`: the bytes, with single byte ranges (206, 416);
 * - `GET /api/files/{id}/info`: the metadata;
 * - `DELETE /api/files/{id}`: 204.
 */
export function filesRoutes(store: FileStore): HttpRouteContribution {
  return async (app) => {
    await app.register(multipart, {
      // One byte over the limit reaches the store, which refuses the file and keeps nothing.
      limits: { fileSize: store.maxFileSize + 1, files: 1, fields: 10, parts: 20, fieldSize: 64 * 1024 },
      throwFileSizeLimit: false,
    });

    app.post('/api/files', {
      schema: {
        tags: ['files'],
        operationId: 'uploadFile',
        summary: 'Upload a file (multipart/form-data with one file field); it expires after the retention',
        consumes: ['multipart/form-data'],
        response: { 201: fileSchema, ...errors },
      },
    }, async (request, reply): Promise<FileJson> => {
      const tooLarge = () =>
        new HttpError(413, 'payload_too_large', `the file is larger than the server accepts: ${store.maxFileSize} bytes (files plugin option maxFileSize)`);
      if (!request.isMultipart()) {
        throw new HttpError(415, 'unsupported_media_type', 'upload the file as multipart/form-data, in a form with one file field');
      }
      const declared = Number(request.headers['content-length']);
      if (Number.isFinite(declared) && declared > store.maxFileSize + MULTIPART_OVERHEAD) throw tooLarge();
      let file: StoredFile | undefined;
      try {
        // Every part is read, so that a second file is refused rather than dropped unseen.
        for await (const part of request.parts()) {
          if (part.type !== 'file') continue;
          file = await store.create(part.file, {
            name: part.filename,
            ...(request.user ? { meta: { uploadedBy: request.user.name } } : {}),
          });
        }
      } catch (error) {
        if (file) await store.delete(file.id);
        if (FileTooLargeError.is(error)) throw tooLarge();
        throw multipartError(error) ?? error;
      }
      if (!file) throw new HttpError(400, 'bad_request', 'the form holds no file: send the file in a file field');
      reply.code(201).header('location', `/api/files/${file.id}`);
      return toFileJson(file);
    });

    // HEAD gets a route of its own: fastify's automatic one would read the whole file to discard it.
    app.get<{ Params: IdParams }>('/api/files/:id', {
      exposeHeadRoute: false,
      schema: {
        tags: ['files'],
        operationId: 'downloadFile',
        summary: 'Download a file; one byte range (Range: bytes=…) gets a 206',
        params: idParams,
        // The bytes go out with the type the file was uploaded with; errors are JSON.
        response: {
          200: { description: 'the file\'s bytes', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
          206: { description: 'the requested range of the file\'s bytes', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
          ...errors,
        },
      },
    }, (request, reply) => download(store, request, reply));
    app.head<{ Params: IdParams }>('/api/files/:id', {
      schema: { tags: ['files'], operationId: 'headFile', summary: 'A file\'s download headers (size, type, name), without its bytes', params: idParams },
    }, (request, reply) => download(store, request, reply));

    app.get<{ Params: IdParams }>('/api/files/:id/info', {
      schema: { tags: ['files'], operationId: 'getFileInfo', summary: 'A file\'s metadata', params: idParams, response: { 200: fileSchema, ...errors } },
    }, async (request): Promise<FileJson> => {
      const file = await store.get(request.params.id);
      if (!file) throw notFound(request.params.id);
      return toFileJson(file);
    });

    app.delete<{ Params: IdParams }>('/api/files/:id', {
      schema: {
        tags: ['files'],
        operationId: 'deleteFile',
        summary: 'Delete a file',
        params: idParams,
        response: { 204: { description: 'deleted', type: 'null' }, ...errors },
      },
    }, async (request, reply) => {
      if (!(await store.delete(request.params.id))) throw notFound(request.params.id);
      return reply.code(204).send();
    });
  };
}

async function download(store: FileStore, request: FastifyRequest<{ Params: IdParams }>, reply: FastifyReply): Promise<FastifyReply> {
  let opened;
  try {
    opened = await store.open(request.params.id);
  } catch (error) {
    if (FileNotFoundError.is(error)) throw notFound(request.params.id);
    throw error;
  }
  const { file, handle, size } = opened;
  const etag = `"${file.id}-${size}"`;
  reply
    .header('accept-ranges', 'bytes')
    .header('content-type', file.type)
    .header('content-disposition', contentDisposition(file.name))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', 'private, no-cache')
    .header('etag', etag)
    .header('last-modified', new Date(file.created).toUTCString());

  const ifRange = request.headers['if-range'];
  const range = ifRange === undefined || ifRange === etag ? parseRange(request.headers.range, size) : { kind: 'whole' as const };
  if (range.kind === 'unsatisfiable') {
    await handle.close();
    reply.removeHeader('content-disposition');
    return reply
      .code(416)
      .header('content-range', `bytes */${size}`)
      .type('application/json; charset=utf-8')
      .send({ error: { code: 'range_not_satisfiable', message: `the range "${request.headers.range}" does not fit the file's ${size} bytes` } });
  }
  const { start, end } = range.kind === 'part' ? range : { start: 0, end: size - 1 };
  if (range.kind === 'part') reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
  reply.header('content-length', String(Math.max(0, end - start + 1)));
  if (request.method === 'HEAD' || size === 0) {
    await handle.close();
    return reply.send();
  }
  return reply.send(handle.createReadStream({ start, end }));
}
