/**
 * video-convert with real ffmpeg: AVI made at test time is converted to mp4, webm, gif and mp3 and
 * the outputs are checked with ffprobe; progress, cancellation and timeouts kill ffmpeg and leave
 * nothing behind; bad input is refused with a clear message.
 */
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, InvalidInputError, type JobEvent, type JobRecord, type Kernel, type TaskService } from '../core/index.js';
import { type FileStore, filesOf } from '../plugins/files/index.js';
import type { VideoConvertResult } from '../plugins/video-convert/index.js';
import { captureLog } from './helpers/capture-log.js';
import { makeClip, makeLongClip, probe, processesMentioning } from './fixtures/media/make-test-media.js';

/** Bytes that look random but are the same on every run: a corrupt input that cannot turn valid by chance. */
function noise(length: number): Buffer {
  const blocks: Buffer[] = [];
  let block = Buffer.from('remotetask corrupt input');
  for (let size = 0; size < length; size += block.length) blocks.push((block = createHash('sha256').update(block).digest()));
  return Buffer.concat(blocks).subarray(0, length);
}

let work: string;
let mediaDir: string;
let filesDir: string;
let kernel: Kernel;
let service: TaskService;
/** maxAttempts 3: shows that a TaskError fails at once, without retries. */
let retrying: TaskService;
let files: FileStore;
let clipId: string;
let longId: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'remotetask-video-'));
  mediaDir = join(work, 'media');
  filesDir = join(work, 'files');
  await mkdir(mediaDir);
  const [clip, long] = await Promise.all([makeClip(mediaDir), makeLongClip(mediaDir)]);
  await makeClip(mediaDir, 'silent.avi', { audio: false, duration: 1 });
  await writeFile(join(mediaDir, 'corrupt.avi'), noise(64 * 1024));
  await writeFile(join(work, 'outside.avi'), 'not in the media directory');
  await symlink('/etc/passwd', join(mediaDir, 'passwd.avi'));
  await symlink(join(work, 'outside.avi'), join(mediaDir, 'escape.avi'));
  await mkdir(join(mediaDir, 'sub'));
  await symlink(clip, join(mediaDir, 'sub', 'inside-link.avi'));

  kernel = await createKernel(
    {
      store: { kind: 'memory' },
      plugins: [['files', { dir: filesDir }], ['video-convert', { mediaDir, killGrace: 1000 }]],
      sites: {
        '': {
          services: {
            Video: { processor: 'multi', maxConcurrency: 2, maxAttempts: 1, pollInterval: 50 },
            Retrying: { processor: 'multi', maxConcurrency: 2, maxAttempts: 3, pollInterval: 50, backoff: { base: 60_000 } },
          },
        },
      },
      autostart: ['@Video', '@Retrying'],
    },
    { logger: captureLog('warn').logger },
  );
  service = kernel.getService('@Video');
  retrying = kernel.getService('@Retrying');
  files = filesOf(kernel);
  const { readFile } = await import('node:fs/promises');
  clipId = (await files.create(await readFile(clip), { name: 'clip.avi' })).id;
  longId = (await files.create(await readFile(long), { name: 'long.avi' })).id;
}, 60_000);

afterAll(async () => {
  await kernel?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

interface Run {
  job: JobRecord;
  events: JobEvent[];
}

const FINAL_EVENTS = new Set(['completed', 'failed', 'cancelled']);

/** Adds a job and resolves with the job once it ended, and every event it had. */
async function runJob(
  input: unknown,
  options: { on?: TaskService; timeout?: number; onEvent?: (event: JobEvent, id: number) => void } = {},
): Promise<Run> {
  const on = options.on ?? service;
  const events: JobEvent[] = [];
  let id: number | undefined;
  let ended!: () => void;
  const done = new Promise<void>((resolve) => (ended = resolve));
  const off = kernel.events.on((event) => {
    if (event.service !== on.address) return;
    events.push(event);
    if (id === undefined) return;
    if (event.jobId === id) options.onEvent?.(event, id);
    if (event.jobId === id && FINAL_EVENTS.has(event.type)) ended();
  });
  try {
    id = await on.add('video-convert', input, options.timeout ? { timeout: options.timeout } : {});
    const mine = events.filter((event) => event.jobId === id);
    for (const event of mine) options.onEvent?.(event, id);
    if (mine.some((event) => FINAL_EVENTS.has(event.type))) ended();
    await done;
  } finally {
    off();
  }
  return { job: await on.getJob(id), events: events.filter((event) => event.jobId === id) };
}

/** The files in the store's directory: committed ones (`<id>`, `<id>.json`) and partial ones. */
async function storeEntries(): Promise<{ committed: string[]; partial: string[] }> {
  const names = await readdir(filesDir);
  return { committed: names.filter((name) => !name.endsWith('.part')).sort(), partial: names.filter((name) => name.endsWith('.part')) };
}

/** Runs a job expected to fail; checks that it left no file and no ffmpeg behind. */
async function expectFailure(input: unknown, message: RegExp, on = service): Promise<JobRecord> {
  const before = await storeEntries();
  const { job } = await runJob(input, { on });
  expect(job.status, job.error ?? '').toBe('error');
  expect(job.error).toMatch(message);
  expect(job.attempts).toBe(1);
  expect(job.error).not.toMatch(new RegExp(filesDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  expect(await storeEntries()).toEqual(before);
  expect(await processesMentioning(filesDir)).toEqual([]);
  return job;
}

async function convert(input: Record<string, unknown>): Promise<{ result: VideoConvertResult; events: JobEvent[]; path: string }> {
  const { job, events } = await runJob(input);
  expect(job.status, job.error ?? '').toBe('completed');
  const result = job.result as VideoConvertResult;
  return { result, events, path: await files.path(result.id) };
}

describe('converting', () => {
  it('AVI to mp4: H.264/AAC, same size and duration, a new file with its download URL', async () => {
    const { result, path } = await convert({ file: clipId, to: 'mp4' });
    const probed = await probe(path);
    expect(probed.formatName).toMatch(/mp4/);
    expect(probed.video).toMatchObject({ codec_name: 'h264', width: 320, height: 240 });
    expect(probed.audio?.codec_name).toBe('aac');
    expect(Math.abs(probed.duration - 3)).toBeLessThanOrEqual(0.1);
    const stored = await files.get(result.id);
    expect(result).toMatchObject({
      id: stored!.id,
      name: 'clip.mp4',
      url: `/api/files/${result.id}`,
      size: stored!.size,
      format: 'mp4',
      width: 320,
      height: 240,
      videoCodec: 'h264',
      audioCodec: 'aac',
      source: { name: 'clip.avi', format: 'avi', width: 320, height: 240 },
    });
    expect(Math.abs(result.duration! - 3)).toBeLessThanOrEqual(0.1);
    expect(stored).toMatchObject({ name: 'clip.mp4', type: 'video/mp4', meta: { task: 'video-convert', service: '@Video' } });
  });

  it('AVI to webm: VP9/Opus', async () => {
    const { result, path } = await convert({ path: 'clip.avi', to: 'webm' });
    const probed = await probe(path);
    expect(probed.formatName).toMatch(/webm/);
    expect(probed.video).toMatchObject({ codec_name: 'vp9', width: 320, height: 240 });
    expect(probed.audio?.codec_name).toBe('opus');
    expect(Math.abs(probed.duration - 3)).toBeLessThanOrEqual(0.1);
    expect(result).toMatchObject({ format: 'webm', name: 'clip.webm', videoCodec: 'vp9', audioCodec: 'opus', width: 320, height: 240 });
  });

  it('AVI to gif, scaled to a width (the height keeps the aspect ratio)', async () => {
    const { result, path } = await convert({ file: clipId, to: 'gif', width: 160 });
    const probed = await probe(path);
    expect(probed.formatName).toBe('gif');
    expect(probed.video).toMatchObject({ codec_name: 'gif', width: 160, height: 120 });
    expect(probed.audio).toBeUndefined();
    expect(Math.abs(probed.duration - 3)).toBeLessThanOrEqual(0.1);
    expect(result).toMatchObject({ format: 'gif', width: 160, height: 120, audioCodec: null });
  });

  it('AVI to mp3: the audio only, at a given bitrate', async () => {
    const { result, path } = await convert({ file: clipId, to: 'mp3', audioBitrate: '96k' });
    const probed = await probe(path);
    expect(probed.formatName).toBe('mp3');
    expect(probed.audio?.codec_name).toBe('mp3');
    expect(probed.video).toBeUndefined();
    expect(Math.abs(probed.duration - 3)).toBeLessThanOrEqual(0.1);
    expect(result).toMatchObject({ format: 'mp3', width: null, height: null, videoCodec: null, audioCodec: 'mp3', name: 'clip.mp3' });
  });

  it('a part of the input (start, duration) at a size and bitrate; a video without audio stays without', async () => {
    const { result, path } = await convert({ path: 'clip.avi', to: 'mp4', start: 1, duration: 1.5, width: 160, height: 90, videoBitrate: '200k' });
    const probed = await probe(path);
    expect(Math.abs(probed.duration - 1.5)).toBeLessThanOrEqual(0.1);
    expect(probed.video).toMatchObject({ width: 160, height: 90 });
    expect(result.duration).toBeCloseTo(1.5, 1);
    const silent = await convert({ path: 'silent.avi', to: 'webm' });
    expect((await probe(silent.path)).audio).toBeUndefined();
    expect(silent.result.audioCodec).toBeNull();
  });

  it('progress rises from 0 to 1, as a fraction of the duration', async () => {
    const { events } = await convert({ path: 'sub/inside-link.avi', to: 'mp4', width: 640 });
    const progress = events.filter((event) => event.type === 'progress').map((event) => event.progress!);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(1);
    for (let index = 1; index < progress.length; index++) expect(progress[index]).toBeGreaterThanOrEqual(progress[index - 1]!);
    expect(events.at(-1)?.type).toBe('completed');
    expect(events.filter((event) => event.type === 'progress').at(-1)?.message).toMatch(/^converted to MP4 \(H\.264\/AAC\)$/);
  });
});

describe('stopping a conversion', () => {
  /** A conversion slow enough to stop in the middle: the long clip scaled up to 1080p. */
  const slow = () => ({ file: longId, to: 'mp4', width: 1920, height: 1080 });

  it('cancelling kills ffmpeg, removes the partial output, and the job ends cancelled', async () => {
    const before = await storeEntries();
    let sawPartial = false;
    const { job } = await runJob(slow(), {
      onEvent(event, id) {
        if (event.type === 'progress' && event.progress! > 0 && !sawPartial) {
          sawPartial = true;
          // A real fraction of the input's 300 s, as ffmpeg's out_time says.
          const [, done] = /^converting to MP4 \(H\.264\/AAC\): ([\d.]+) of 300\.0 s$/.exec(event.message!)!;
          expect(event.progress).toBeCloseTo(Number(done) / 300, 3);
          void (async () => {
            expect((await storeEntries()).partial).toHaveLength(1);
            expect((await processesMentioning(filesDir)).length).toBeGreaterThan(0);
            await service.cancel(id);
          })();
        }
      },
    });
    expect(sawPartial).toBe(true);
    expect(job.status).toBe('cancelled');
    expect(await storeEntries()).toEqual(before);
    expect(await processesMentioning(filesDir)).toEqual([]);
  }, 30_000);

  it('a per-job timeout does the same, and the job fails', async () => {
    const before = await storeEntries();
    // Long enough for ffmpeg to have reported progress on a loaded machine (1.5 s sometimes was not).
    const { job } = await runJob(slow(), { timeout: 4000 });
    expect(job.status).toBe('error');
    expect(job.error).toMatch(/timed out after 4000 ms/);
    expect(job.progress).toBeGreaterThan(0);
    expect(await storeEntries()).toEqual(before);
    expect(await processesMentioning(filesDir)).toEqual([]);
  }, 30_000);
});

describe('bad input', () => {
  it.each([
    ['an unsupported format', { file: 'a'.repeat(22), to: 'avi' }, /\/to must be equal to one of the allowed values/],
    ['no target', { file: 'a'.repeat(22) }, /must have required property 'to'/],
    ['both file and path', { file: 'a'.repeat(22), path: 'clip.avi', to: 'mp4' }, /must match exactly one schema in oneOf/],
    ['neither file nor path', { to: 'mp4' }, /must match exactly one schema in oneOf/],
    ['a file id that is a path', { file: '../../etc/passwd', to: 'mp4' }, /\/file must match pattern/],
    ['ffmpeg options in a bitrate', { file: 'a'.repeat(22), to: 'mp4', videoBitrate: '1M -f null' }, /\/videoBitrate must match pattern/],
    ['ffmpeg options in start', { file: 'a'.repeat(22), to: 'mp4', start: '-i /etc/passwd' }, /\/start must be number/],
    ['an audio bitrate out of range', { file: 'a'.repeat(22), to: 'mp3', audioBitrate: '9000k' }, /\/audioBitrate must match pattern/],
    ['an odd width', { file: 'a'.repeat(22), to: 'mp4', width: 321 }, /\/width must be multiple of 2/],
    ['a huge height', { file: 'a'.repeat(22), to: 'mp4', height: 100_000 }, /\/height must be <= 4320/],
    ['a negative start', { file: 'a'.repeat(22), to: 'mp4', start: -1 }, /\/start must be >= 0/],
    ['an unknown option', { file: 'a'.repeat(22), to: 'mp4', codec: 'rawvideo' }, /unknown property "codec"/],
    ['a size for mp3', { file: 'a'.repeat(22), to: 'mp3', width: 320 }, /unknown property "width"/],
    ['an audio bitrate for gif', { file: 'a'.repeat(22), to: 'gif', audioBitrate: '128k' }, /unknown property "audioBitrate"/],
  ])('%s is refused by add(), and no job exists', async (_what, input, message) => {
    const before = (await service.jobs.all()).length;
    const error = await service.add('video-convert', input).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(message);
    expect((await service.jobs.all()).length).toBe(before);
  });

  it('an uploaded file that does not exist', async () => {
    await expectFailure({ file: 'A'.repeat(22), to: 'mp4' }, /^there is no uploaded file AAAAAAAAAAAAAAAAAAAAAA: it was never uploaded, has expired or was deleted$/, retrying);
  });

  it.each([
    ['../../etc/passwd', /^path "\.\.\/\.\.\/etc\/passwd" is outside the media directory$/],
    ['/etc/passwd', /^path "\/etc\/passwd" is outside the media directory$/],
    ['sub/../../outside.avi', /is outside the media directory/],
    ['passwd.avi', /^path "passwd.avi" leads outside the media directory \(through a symbolic link\)$/],
    ['escape.avi', /leads outside the media directory \(through a symbolic link\)/],
    ['missing.avi', /^path "missing.avi": there is no such file in the media directory$/],
    ['sub', /^path "sub" is not a regular file$/],
  ])('path %s is refused', async (path, message) => {
    await expectFailure({ path, to: 'mp4' }, message, retrying);
  });

  it('a corrupt input: a clear error from ffprobe, no retry', async () => {
    const job = await expectFailure(
      { path: 'corrupt.avi', to: 'mp4' },
      /^path "corrupt.avi" is not a media file ffprobe can read: Invalid data found when processing input$/,
      retrying,
    );
    expect(job.errorStack).toBeNull();
  });

  it('a container ffmpeg could follow elsewhere (a playlist) is not read', async () => {
    await writeFile(join(mediaDir, 'playlist.avi'), '#EXTM3U\n#EXTINF:1,\nfile:/etc/passwd\n');
    await expectFailure({ path: 'playlist.avi', to: 'mp4' }, /is not a media file ffprobe can read/, retrying);
  });

  it('mp3 of a video without audio, and a start past the end', async () => {
    await expectFailure({ path: 'silent.avi', to: 'mp3' }, /^path "silent.avi" has no audio stream to make mp3 of$/, retrying);
    await expectFailure({ path: 'clip.avi', to: 'mp4', start: 10 }, /^start \(10 s\) is past the end of path "clip.avi" \(3 s\)$/, retrying);
  });
});

describe('without ffmpeg, or without a media directory', () => {
  it('jobs fail saying what to install or configure; the kernel still boots', async () => {
    const log = captureLog('warn');
    const other = await createKernel(
      {
        store: { kind: 'memory' },
        plugins: [['files', { dir: join(work, 'other-files') }], ['video-convert', { ffmpegPath: './no/such/ffmpeg' }]],
        sites: { '': { services: { S: { maxAttempts: 1 } } } },
      },
      { logger: log.logger, baseDir: work },
    );
    try {
      expect(log.records.map((record) => record.message).join('\n')).toMatch(/ffmpeg not found .*jobs fail on this process/);
      const svc = other.getService('@S');
      const id = await svc.add('video-convert', { path: 'clip.avi', to: 'mp4' });
      await svc.processNext();
      expect(await svc.getError(id)).toMatch(/^ffmpeg not found \(looked for "\.\/no\/such\/ffmpeg" through the plugin option ffmpegPath\): install ffmpeg/);
      const upload = await filesOf(other).create('x', { name: 'x.avi' });
      const ffmpegFound = await createKernel(
        { store: { kind: 'memory' }, plugins: [['files', { dir: join(work, 'other-files') }], 'video-convert'], sites: { '': { services: { S: { maxAttempts: 1 } } } } },
        { logger: log.logger },
      );
      try {
        const svc2 = ffmpegFound.getService('@S');
        const noDir = await svc2.add('video-convert', { path: 'clip.avi', to: 'mp4' });
        await svc2.processNext();
        expect(await svc2.getError(noDir)).toMatch(/paths are not allowed, the video-convert plugin has no mediaDir/);
        const bad = await svc2.add('video-convert', { file: upload.id, to: 'mp4' });
        await svc2.processNext();
        expect(await svc2.getError(bad)).toMatch(/^file .* is not a media file ffprobe can read/);
      } finally {
        await ffmpegFound.close();
      }
    } finally {
      await other.close();
    }
  });

  it('the plugin refuses unknown or malformed options at boot', async () => {
    await expect(
      createKernel({ store: { kind: 'memory' }, plugins: ['files', ['video-convert', { mediadir: './media' }]] }, { logger: captureLog().logger }),
    ).rejects.toThrow(/plugin "video-convert": unknown option\(s\) "mediadir"; it takes mediaDir, ffmpegPath, ffprobePath, killGrace/);
    await expect(
      createKernel({ store: { kind: 'memory' }, plugins: ['video-convert'] }, { logger: captureLog().logger }),
    ).rejects.toThrow(/plugin "video-convert" depends on plugin "files", which is not loaded/);
  });
});
