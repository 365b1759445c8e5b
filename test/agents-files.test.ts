/** The files API for agents in process (a real fastify app, the memory store, a real file directory): who may read and write what. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kernel } from '../core/index.js';
import { mentions } from '../plugins/agents/routes/agent-file-routes.js';
import { type FileStore, filesOf } from '../plugins/files/index.js';
import { hashToken } from '../plugins/http/auth/hash-token.js';
import { buildHttpApp } from '../plugins/http/index.js';
import { createHttpTestKernel } from './helpers/http-test-kernel.js';

const AGENT = 'Bearer agent-token';
const BASE = '/api/services/@RootTaskService/agents';

describe('the files API for agents', () => {
  let dir: string;
  let kernel: Kernel;
  let app: FastifyInstance;
  let files: FileStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'remotetask-agent-files-'));
    kernel = await createHttpTestKernel({
      plugins: ['echo', ['files', { dir }], 'agents'],
      http: { users: { worker: { role: 'agent', tokenHash: hashToken('agent-token'), scopes: { services: ['@RootTaskService'] } } } },
    });
    app = await buildHttpApp(kernel);
    files = filesOf(kernel);
  });

  afterAll(async () => {
    await app.close();
    await kernel.close();
    await rm(dir, { recursive: true, force: true });
  });

  const inject = (method: 'GET' | 'POST', url: string, payload?: string, contentType = 'application/octet-stream') =>
    app.inject({ method, url, headers: { authorization: AGENT, ...(payload === undefined ? {} : { 'content-type': contentType }) }, payload });

  async function heldJob(agent: string, input: unknown): Promise<number> {
    expect((await app.inject({ method: 'POST', url: `${BASE}/${agent}`, headers: { authorization: AGENT }, payload: { tasks: [{ name: 'echo' }] } })).statusCode).toBe(200);
    const id = await kernel.getService('@RootTaskService').add('echo', input);
    const claim = await app.inject({ method: 'POST', url: `${BASE}/${agent}/claim`, headers: { authorization: AGENT }, payload: { limit: 1 } });
    expect(claim.json().jobs.map((job: { id: number }) => job.id)).toEqual([id]);
    return id;
  }

  it('reads the files its held job\'s input names, and no other', async () => {
    const named = await files.create('the input bytes', { name: 'in.txt' });
    const other = await files.create('someone else\'s', { name: 'secret.txt' });
    const id = await heldJob('a1', { source: { file: named.id }, to: 'mp4' });

    const bytes = await inject('GET', `${BASE}/a1/jobs/${id}/files/${named.id}`);
    expect([bytes.statusCode, bytes.body]).toEqual([200, 'the input bytes']);
    expect((await inject('GET', `${BASE}/a1/jobs/${id}/files/${named.id}/info`)).json()).toMatchObject({ id: named.id, name: 'in.txt', size: 15 });

    const refused = await inject('GET', `${BASE}/a1/jobs/${id}/files/${other.id}`);
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'file_not_of_job']);
    expect(refused.json().error.message).toContain(`file ${other.id} is not named in the input of job ${id}`);
    // Another agent of the same user holds nothing: 403, whatever the job names.
    await app.inject({ method: 'POST', url: `${BASE}/a2`, headers: { authorization: AGENT }, payload: { tasks: [{ name: 'echo' }] } });
    const notHeld = await inject('GET', `${BASE}/a2/jobs/${id}/files/${named.id}`);
    expect([notHeld.statusCode, notHeld.json().error.code]).toEqual([403, 'job_not_held']);
    expect((await inject('GET', `${BASE}/a1/jobs/${id}/files/not-an-id`)).statusCode).toBe(400);
    // The general files API is not for agents.
    expect((await inject('GET', `/api/files/${named.id}`)).statusCode).toBe(403);
  });

  it('stores a file for a job it holds, noting the job and the agent; refuses other jobs and other bodies', async () => {
    const id = await heldJob('a3', { n: 1 });
    const made = await inject('POST', `${BASE}/a3/jobs/${id}/files?name=out.mp4`, 'converted');
    expect(made.statusCode).toBe(201);
    const file = made.json();
    expect(file).toMatchObject({ name: 'out.mp4', size: 9, type: 'video/mp4', url: `/api/files/${file.id}`, meta: { task: 'echo', jobId: id, agent: 'a3' } });
    expect((await files.get(file.id))?.size).toBe(9);

    const unclaimed = await kernel.getService('@RootTaskService').add('echo', { n: 2 });
    const refused = await inject('POST', `${BASE}/a3/jobs/${unclaimed}/files?name=x.bin`, 'x');
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'job_not_held']);
    const json = await inject('POST', `${BASE}/a3/jobs/${id}/files?name=x.json`, '{}', 'application/json');
    expect([json.statusCode, json.json().error.code]).toEqual([415, 'unsupported_media_type']);
    const nameless = await inject('POST', `${BASE}/a3/jobs/${id}/files`, 'x');
    expect(nameless.statusCode).toBe(400);
    expect(nameless.json().error.message).toContain('name');
  });

  it('finds a file id anywhere in an input, and only as a whole value', () => {
    expect(mentions({ a: [{ b: 'x' }, 'AAAAAAAAAAAAAAAAAAAAAA'] }, 'AAAAAAAAAAAAAAAAAAAAAA')).toBe(true);
    expect(mentions({ a: 'xAAAAAAAAAAAAAAAAAAAAAAx' }, 'AAAAAAAAAAAAAAAAAAAAAA')).toBe(false);
    expect(mentions(null, 'AAAAAAAAAAAAAAAAAAAAAA')).toBe(false);
  });
});
