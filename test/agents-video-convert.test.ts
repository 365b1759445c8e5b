/**
 * video-convert on a remote agent, with real processes and real ffmpeg: the server (`remotetask
 * serve`, SQLite) keeps the files, a Node agent (`remotetask agent`, no database access, no file
 * directory of the server's) fetches the job's input and uploads its output over the server's
 * files API for agents; the converted video is downloaded from the server and checked with ffprobe.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../plugins/http/auth/hash-token.js';
import { makeClip, probe } from './fixtures/media/make-test-media.js';
import { type RunningProcess, spawnRemotetask } from './helpers/spawn-remotetask.js';
import { freePort } from './helpers/temporary-postgres.js';
import { waitUntil } from './helpers/wait-for.js';

const token = () => randomBytes(24).toString('base64url');
const TOKENS = { boss: token(), gpu: token() };

describe('video-convert on an agent', () => {
  let dir: string;
  let filesDir: string;
  let url: string;
  let server: RunningProcess;
  let agent: RunningProcess;

  async function api(method: string, path: string, body?: unknown, secret = TOKENS.boss): Promise<{ status: number; body: any }> {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${secret}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'remotetask-agent-video-'));
    filesDir = join(dir, 'server-files');
    const configFile = join(dir, 'server.config.mjs');
    writeFileSync(configFile, `export default ${JSON.stringify({
      store: { kind: 'sqlite', path: join(dir, 'jobs.db') },
      plugins: [['files', { dir: filesDir }], 'agents'],
      http: {
        users: {
          boss: { role: 'manager', tokenHash: hashToken(TOKENS.boss) },
          gpu: { role: 'agent', tokenHash: hashToken(TOKENS.gpu), scopes: { services: ['@Agents'], tasks: ['video-convert'] } },
        },
      },
      sites: { '': { services: { Agents: { leaseMs: 10_000, maxAttempts: 1 } } } },
      autostart: [],
    })};\n`);
    // The agent's config names only the task's plugin: its files are the server's.
    const agentConfigFile = join(dir, 'agent.config.mjs');
    writeFileSync(agentConfigFile, `export default ${JSON.stringify({ plugins: ['video-convert'] })};\n`);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = spawnRemotetask(['serve', '--config', configFile, '--port', String(port), '--no-dashboard'], { REMOTETASK_LOG_FORMAT: 'pretty' });
    await server.waitForOutput(/listening on http/, 30_000);
    agent = spawnRemotetask(['agent', '--config', agentConfigFile, '--server', url, '--service', '@Agents', '--name', 'gpu-1'], {
      REMOTETASK_TOKEN: TOKENS.gpu, REMOTETASK_LOG_FORMAT: 'pretty',
    });
    await agent.waitForOutput(/agent gpu-1 serves video-convert/, 30_000);
  }, 60_000);

  afterAll(async () => {
    agent?.child.kill('SIGTERM');
    await agent?.exited;
    server?.child.kill('SIGTERM');
    await server?.exited;
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('converts an uploaded video on the agent; the output is on the server, downloadable and a real mp4', async () => {
    const clip = await makeClip(dir, 'holiday.avi', { duration: 2 });
    const form = new FormData();
    form.append('file', new Blob([readFileSync(clip)]), 'holiday.avi');
    const uploaded = await fetch(`${url}/api/files`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.boss}` }, body: form });
    expect(uploaded.status).toBe(201);
    const input = (await uploaded.json()) as { id: string };

    const added = await api('POST', '/api/services/@Agents/jobs', { task: 'video-convert', input: { file: input.id, to: 'mp4' } });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const id = added.body.id as number;
    let job: any;
    await waitUntil(async () => ['completed', 'error'].includes((job = (await api('GET', `/api/services/@Agents/jobs/${id}`)).body).status), {
      timeout: 60_000, interval: 100, what: `video-convert job ${id} finished`,
    });
    expect(job.status, job.error).toBe('completed');
    expect(job.result).toMatchObject({ name: 'holiday.mp4', format: 'mp4', videoCodec: 'h264', width: 320, height: 240 });
    expect(job.result.url).toBe(`/api/files/${job.result.id}`);
    // The agent logs it once its outcome was applied: just after the server shows it.
    await agent.waitForOutput(new RegExp(`job ${id} \\(video-convert\\) completed`), 10_000);

    // The output is the server's file, made for this job by this agent.
    const info = await api('GET', `/api/files/${job.result.id}/info`);
    expect(info.body.meta).toMatchObject({ task: 'video-convert', service: '@Agents', jobId: id, agent: 'gpu-1', uploadedBy: 'gpu' });
    expect(readdirSync(filesDir)).toContain(job.result.id);
    const download = await fetch(`${url}${job.result.url}`, { headers: { authorization: `Bearer ${TOKENS.boss}` } });
    expect(download.status).toBe(200);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(bytes.length).toBe(job.result.size);
    const out = join(dir, 'downloaded.mp4');
    writeFileSync(out, bytes);
    const probed = await probe(out);
    expect(probed.formatName).toContain('mp4');
    expect(probed.video).toMatchObject({ codec_name: 'h264', width: 320, height: 240 });
    expect(probed.audio?.codec_name).toBe('aac');
    expect(probed.duration).toBeCloseTo(2, 0);

    // The agent's token reaches no file but through a job it holds: not the files API, not this job's files once it is done.
    expect((await api('GET', `/api/files/${input.id}`, undefined, TOKENS.gpu)).status).toBe(403);
    const after = await api('GET', `/api/services/@Agents/agents/gpu-1/jobs/${id}/files/${input.id}`, undefined, TOKENS.gpu);
    expect([after.status, after.body.error.code]).toEqual([403, 'job_not_held']);
  }, 90_000);
});
