import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JobRecord } from 'remotetask';
import { HttpError } from 'remotetask/http';
import { FILE_ID_PATTERN, FileNotFoundError, FileStoreToken, type FileStore, FileTooLargeError, toFileJson, type FileJson } from '../../files/index.js';
import type { AgentSession } from '../agent-registry.js';
import { type AgentParams, type AgentRoutesContext, sessionOf } from './agent-context.js';
import { agentParams } from './agent-schemas.js';

interface JobParams extends AgentParams {
  id: number;
}
interface FileParams extends JobParams {
  file: string;
}

const jobParams = {
  ...agentParams,
  required: [...agentParams.required, 'id'],
  properties: { ...agentParams.properties, id: { type: 'integer', minimum: 1, description: 'a job the agent holds' } },
} as const;
const fileParams = {
  ...jobParams,
  required: [...jobParams.required, 'file'],
  properties: { ...jobParams.properties, file: { type: 'string', pattern: FILE_ID_PATTERN, description: 'a file id the job\'s input names' } },
} as const;
const uploadQuery = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1, maxLength: 255, description: 'the file\'s name (its extension gives the download\'s type)' } },
} as const;

/** Whether `value` (a job's input) holds the string `id` anywhere: a walk of every value, once. */
export function mentions(value: unknown, id: string): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === id) return true;
    if (item !== null && typeof item === 'object') stack.push(...Object.values(item));
  }
  return false;
}

/**
 * The files API for agents, under the agent's own path and with its token. An agent reads only the
 * files the input of a job it holds names, and writes files only for a job it holds (the file's meta
 * names the job and the agent): a token that leaks reads no other file. Bodies are raw bytes.
 *
 * - `GET …/{agent}/jobs/{id}/files/{file}`: the bytes;
 * - `GET …/{agent}/jobs/{id}/files/{file}/info`: the metadata;
 * - `POST …/{agent}/jobs/{id}/files?name=…` (application/octet-stream): a new file → 201.
 */
export function registerAgentFileRoutes(app: FastifyInstance, { kernel, directory }: AgentRoutesContext): void {
  const { store } = kernel;

  const filesStore = (): FileStore => {
    const files = kernel.lookup(FileStoreToken);
    if (!files) throw new HttpError(404, 'no_file_store', 'the server keeps no files: add the "files" plugin to its config');
    return files;
  };

  async function heldJob(request: FastifyRequest<{ Params: JobParams }>): Promise<{ job: JobRecord; session: AgentSession }> {
    const session = sessionOf(directory, request);
    const { id } = request.params;
    const job = await store.get(id);
    if (!job || job.service !== request.service.address || job.lockedBy !== session.workerId) {
      throw new HttpError(403, 'job_not_held', `agent "${session.agent}" does not hold job ${id} of ${request.service.address}: it reads and writes files only for jobs it holds`);
    }
    return { job, session };
  }

  async function fileOfJob(request: FastifyRequest<{ Params: FileParams }>): Promise<FileStore> {
    const { job } = await heldJob(request);
    const { file, id } = request.params;
    if (!mentions(job.input, file)) {
      throw new HttpError(403, 'file_not_of_job', `file ${file} is not named in the input of job ${id}: an agent reads only the files its jobs' inputs name`);
    }
    return filesStore();
  }

  app.register(async (scope) => {
    // Uploads are the file's bytes as they are, streamed to the store (no size limit but the store's).
    scope.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));

    scope.get<{ Params: FileParams }>('/agents/:agent/jobs/:id/files/:file', {
      config: { access: 'agent' },
      schema: { tags: ['agents'], summary: 'Downloads a file the input of a job the agent holds names', params: fileParams },
    }, async (request, reply) => {
      const files = await fileOfJob(request);
      let opened;
      try {
        opened = await files.open(request.params.file);
      } catch (error) {
        if (FileNotFoundError.is(error)) throw new HttpError(404, 'unknown_file', error.message);
        throw error;
      }
      const { handle, size } = opened;
      reply.header('content-type', 'application/octet-stream').header('content-length', String(size));
      if (size === 0) {
        await handle.close();
        return reply.send();
      }
      return reply.send(handle.createReadStream());
    });

    scope.get<{ Params: FileParams }>('/agents/:agent/jobs/:id/files/:file/info', {
      config: { access: 'agent' },
      schema: { tags: ['agents'], summary: 'The metadata of a file the input of a job the agent holds names', params: fileParams },
    }, async (request): Promise<FileJson> => {
      const file = await (await fileOfJob(request)).get(request.params.file);
      if (!file) throw new HttpError(404, 'unknown_file', new FileNotFoundError(request.params.file).message);
      return toFileJson(file);
    });

    scope.post<{ Params: JobParams; Querystring: { name: string } }>('/agents/:agent/jobs/:id/files', {
      config: { access: 'agent' },
      schema: {
        tags: ['agents'], summary: 'Stores a file made for a job the agent holds (the body is its bytes)', params: jobParams, querystring: uploadQuery,
        consumes: ['application/octet-stream'],
      },
    }, async (request, reply): Promise<FileJson> => {
      if (!(request.headers['content-type'] ?? '').startsWith('application/octet-stream')) {
        throw new HttpError(415, 'unsupported_media_type', 'send the file\'s bytes as the body, with Content-Type: application/octet-stream');
      }
      const { job, session } = await heldJob(request);
      const files = filesStore();
      try {
        const file = await files.create(request.body as Readable, {
          name: request.query.name,
          meta: { task: job.task, service: job.service, jobId: job.id, agent: session.agent, uploadedBy: request.user?.name },
        });
        reply.code(201).header('location', files.urlOf(file.id));
        return toFileJson(file);
      } catch (error) {
        if (FileTooLargeError.is(error)) {
          throw new HttpError(413, 'payload_too_large', `the file is larger than the server accepts: ${files.maxFileSize} bytes (files plugin option maxFileSize)`);
        }
        throw error;
      }
    });
  });
}
