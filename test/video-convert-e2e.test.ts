/**
 * The story end to end, through a real `remotetask serve` process: upload a video, add a
 * video-convert job for it, follow its events over SSE, download the result and check it.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type JobEventJson, RemotetaskClient } from '../core/client/index.js';
import { makeClip, probe, processesMentioning } from './fixtures/media/make-test-media.js';
import { type RunningProcess, spawnRemotetask } from './helpers/spawn-remotetask.js';

let work: string;
let server: RunningProcess;
let url: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'remotetask-video-e2e-'));
  await mkdir(join(work, 'media'));
  await makeClip(work);
  const config = {
    store: { kind: 'memory' },
    plugins: [['files', { dir: './files' }], ['video-convert', { mediaDir: './media' }]],
    sites: { '': { services: { RootTaskService: { processor: 'multi', maxConcurrency: 2 } } } },
    autostart: ['@RootTaskService'],
    defaults: { maxAttempts: 1 },
  };
  await writeFile(join(work, 'remotetask.config.json'), JSON.stringify(config, null, 2));
  server = spawnRemotetask(['serve', '--config', join(work, 'remotetask.config.json'), '--port', '0'], { REMOTETASK_LOG_FORMAT: 'pretty' });
  const listening = await server.waitForOutput(/listening on (http:\/\/[\d.:]+)/, 30_000);
  url = listening[1]!;
}, 60_000);

afterAll(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  if (work) await rm(work, { recursive: true, force: true });
});

it('upload, convert on the server with progress over SSE, download the result', async () => {
  const client = new RemotetaskClient({ url });
  const service = client.service('@RootTaskService');

  const form = new FormData();
  form.append('file', new Blob([await readFile(join(work, 'clip.avi'))]), 'clip.avi');
  const uploaded = await fetch(`${url}/api/files`, { method: 'POST', body: form });
  expect(uploaded.status).toBe(201);
  const { id: fileId, name } = (await uploaded.json()) as { id: string; name: string };
  expect(name).toBe('clip.avi');

  // Subscribed before the job exists, so no event of it is missed.
  const events = await service.events();
  const seen: JobEventJson[] = [];
  const { id: jobId } = await service.add('video-convert', { file: fileId, to: 'webm', width: 160 });
  for await (const event of events) {
    if (event.jobId !== jobId) continue;
    seen.push(event);
    if (['completed', 'failed', 'cancelled'].includes(event.type)) break;
  }
  events.close();

  expect(seen.map((event) => event.type)).toEqual(expect.arrayContaining(['added', 'started', 'progress', 'completed']));
  const progress = seen.filter((event) => event.type === 'progress').map((event) => event.progress);
  expect(progress[0]).toBe(0);
  expect(progress.at(-1)).toBe(1);
  expect([...progress].sort((a, b) => a! - b!)).toEqual(progress);

  const job = await service.job(jobId);
  expect(job.status).toBe('completed');
  const result = job.result as { id: string; url: string; name: string; size: number; width: number; height: number };
  expect(result).toMatchObject({ name: 'clip.webm', width: 160, height: 120, url: `/api/files/${result.id}` });

  const download = await fetch(`${url}${result.url}`);
  expect(download.status).toBe(200);
  expect(download.headers.get('content-type')).toBe('video/webm');
  expect(download.headers.get('content-disposition')).toMatch(/filename="clip\.webm"/);
  const bytes = Buffer.from(await download.arrayBuffer());
  expect(bytes.length).toBe(result.size);
  const saved = join(work, 'downloaded.webm');
  await writeFile(saved, bytes);
  const probed = await probe(saved);
  expect(probed.video).toMatchObject({ codec_name: 'vp9', width: 160, height: 120 });
  expect(probed.audio?.codec_name).toBe('opus');
  expect(Math.abs(probed.duration - 3)).toBeLessThanOrEqual(0.1);
  expect(await processesMentioning(join(work, 'files'))).toEqual([]);
}, 60_000);

it('the CLI: remotetask add video-convert --upload clip.avi --to mp4 --wait --output clip.mp4', async () => {
  const output = join(work, 'out', 'clip.mp4');
  await mkdir(join(work, 'out'));
  const cli = spawnRemotetask([
    'add', 'video-convert', '{"width": 160}', '--upload', join(work, 'clip.avi'), '--to', 'mp4', '--wait', '--output', output, '--url', url,
  ]);
  const { code } = await cli.exited;
  expect(code, cli.output()).toBe(0);
  const printed = cli.output();
  expect(printed).toMatch(/"name": "clip\.mp4"/);
  expect(printed).toMatch(new RegExp(`saved ${output.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const probed = await probe(output);
  expect(probed.video).toMatchObject({ codec_name: 'h264', width: 160, height: 120 });
  expect(probed.audio?.codec_name).toBe('aac');
  expect(Math.abs(probed.duration - 3)).toBeLessThanOrEqual(0.1);

  const missing = spawnRemotetask(['add', 'video-convert', '--upload', join(work, 'nope.avi'), '--to', 'mp4', '--url', url]);
  expect((await missing.exited).code).toBe(2);
  expect(missing.output()).toMatch(/--upload .*nope\.avi: no such file/);
}, 60_000);
