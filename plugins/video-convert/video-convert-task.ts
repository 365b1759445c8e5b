import { basename, extname } from 'node:path';
import { TaskError, type Task, type TaskContext } from 'remotetask';
import { filesOf, type TaskFiles } from '../files/index.js';
import { buildFfmpegArgs } from './build-ffmpeg-args.js';
import { FORMATS, TARGET_FORMATS, type TargetFormat } from './formats.js';
import type { MediaTools } from './find-executable.js';
import { type VideoConvertInput, videoConvertInputSchema } from './input-schema.js';
import { lastErrorLine, type MediaInfo, probeMedia } from './probe-media.js';
import { resolveSource } from './resolve-source.js';
import { runProcess } from './run-process.js';

/** A finished conversion: the job's result. */
export interface VideoConvertResult {
  /** The output file's id in the file store. */
  id: string;
  name: string;
  /** Where to download it: `/api/files/{id}`. */
  url: string;
  /** Bytes. */
  size: number;
  format: TargetFormat;
  /** Seconds, as ffprobe reads the output. */
  duration: number | null;
  width: number | null;
  height: number | null;
  videoCodec: string | null;
  audioCodec: string | null;
  source: { name: string; duration: number | null; format: string; width: number | null; height: number | null };
}

export interface VideoConvertTaskOptions {
  /** Paths in inputs must lie in it; without it, only uploaded files are converted. */
  mediaDir?: string;
  /** Finds ffmpeg and ffprobe (at run time: the web server need not have them, its workers must). */
  tools: () => Promise<MediaTools>;
  /** After an abort, how long ffmpeg may take to stop on SIGTERM before SIGKILL (ms). */
  killGrace: number;
  /** The store the input files and the outputs are in; default the kernel's (`filesOf(context)`). */
  files?: (context: TaskContext) => TaskFiles;
}

const round = (value: number | null, digits = 3) => (value === null ? null : Number(value.toFixed(digits)));

/**
 * Reports progress to the job, in order, never backwards, and not more often than it changes by a
 * percent (or its message changes). A failing report is logged, never fatal.
 */
function progressReporter(context: TaskContext) {
  let last = -1;
  let lastMessage: string | undefined;
  let chain = Promise.resolve();
  const report = (fraction: number, message: string, force = false): Promise<void> => {
    const value = Math.max(last, Math.min(1, fraction));
    if (!force && value - last < 0.01 && message === lastMessage) return chain;
    last = value;
    lastMessage = message;
    chain = chain.then(() => context.progress(value, message)).catch((error: Error) => {
      context.logger.warn(`reporting progress failed: ${error.message}`);
    });
    return chain;
  };
  return report;
}

/** The output's name: the source's name with the target's extension. */
export function outputName(sourceName: string, to: TargetFormat): string {
  const stem = basename(sourceName, extname(sourceName)) || 'converted';
  return `${stem}.${to}`;
}

function checkInput(input: VideoConvertInput): void {
  // add() checked the schema; this guards direct calls of run() with the same rule, in words.
  if (typeof input !== 'object' || input === null) throw new TaskError('the input must be an object');
  if ((input.file === undefined) === (input.path === undefined)) {
    throw new TaskError('give exactly one of file (an uploaded file\'s id) and path (a file in the media directory)');
  }
  if (!TARGET_FORMATS.includes(input.to)) throw new TaskError(`to must be one of ${TARGET_FORMATS.join(', ')}`);
}

/** The time a conversion makes, in seconds: what progress is a fraction of. */
function expectedDuration(info: MediaInfo, input: VideoConvertInput): number | null {
  const start = input.start ?? 0;
  const left = info.duration === null ? null : info.duration - start;
  if (left !== null && input.duration !== undefined) return Math.min(left, input.duration);
  return left ?? input.duration ?? null;
}

/**
 * The `video-convert` task: probes its input with ffprobe, converts it with ffmpeg (a child
 * process, its arguments an array) into a new file of the file store, reporting progress as a
 * fraction of the duration. An abort (cancel, timeout, shutdown) kills ffmpeg and removes the
 * partial output.
 */
export function createVideoConvertTask(options: VideoConvertTaskOptions): Task<VideoConvertInput, VideoConvertResult> {
  return {
    description:
      'Converts a video (an uploaded file or a path in the media directory) to mp4 (H.264/AAC), webm (VP9/Opus), gif or mp3 with ffmpeg; ' +
      'the result names the output file and its download URL.',
    inputSchema: videoConvertInputSchema,
    async run(input, context) {
      checkInput(input);
      const { signal, logger } = context;
      const report = progressReporter(context);
      const files = options.files ? options.files(context) : filesOf(context);
      await report(0, 'probing the input', true);

      let tools: MediaTools;
      try {
        tools = await options.tools();
      } catch (error) {
        throw new TaskError((error as Error).message);
      }
      const source = await resolveSource(input, { files, mediaDir: options.mediaDir });
      const { killGrace } = options;
      const info = await probeMedia(tools.ffprobe, source.path, { signal, killGrace, label: source.label });
      const format = FORMATS[input.to];
      if (format.needs === 'video' && !info.video) {
        throw new TaskError(`${source.label} has no video stream to make ${input.to} of${info.audio ? ': convert it to mp3' : ''}`);
      }
      if (format.needs === 'audio' && !info.audio) throw new TaskError(`${source.label} has no audio stream to make mp3 of`);
      if (input.start !== undefined && info.duration !== null && input.start >= info.duration) {
        throw new TaskError(`start (${input.start} s) is past the end of ${source.label} (${round(info.duration)} s)`);
      }
      const expected = expectedDuration(info, input);

      const name = outputName(source.name, input.to);
      const output = await files.allocate({ name, meta: { task: 'video-convert', service: context.service.address, jobId: context.jobId } });
      try {
        const args = buildFfmpegArgs({ ...input, input: source.path, output: output.path, withAudio: info.audio !== null });
        const began = Date.now();
        logger.info(`converting ${source.label} (${info.formatName}, ${round(info.duration, 1) ?? '?'} s) to ${input.to}`);
        await report(0, `converting to ${format.label}`, true);
        const ran = await runProcess(tools.ffmpeg, args, {
          signal,
          killGrace,
          onStdoutLine(line) {
            const match = /^out_time_(?:us|ms)=(\d+)$/.exec(line);
            if (!match || !expected) return;
            const done = Number(match[1]) / 1e6;
            void report(Math.min(0.99, done / expected), `converting to ${format.label}: ${done.toFixed(1)} of ${expected.toFixed(1)} s`);
          },
        });
        if (ran.aborted || signal.aborted) {
          throw new Error(`ffmpeg was stopped: ${(signal.reason as Error | undefined)?.message ?? 'aborted'}`);
        }
        if (ran.code !== 0) {
          const why = lastErrorLine(ran.stderr, { [source.path]: source.label, [output.path]: 'the output' }) || 'no message';
          // Killed by someone else (out of memory, say): worth another attempt. An error exit is not.
          if (ran.exitSignal) throw new Error(`ffmpeg was killed by ${ran.exitSignal} converting ${source.label}: ${why}`);
          throw new TaskError(`ffmpeg failed converting ${source.label} to ${input.to} (exit code ${ran.code}): ${why}`);
        }
        const made = await probeMedia(tools.ffprobe, output.path, { signal, killGrace, label: `the ${input.to} output` });
        const stored = await output.commit();
        await report(1, `converted to ${format.label}`, true);
        logger.info(`converted ${source.label} to ${input.to} in ${((Date.now() - began) / 1000).toFixed(1)} s: file ${stored.id}, ${stored.size} bytes`);
        return {
          id: stored.id,
          name: stored.name,
          url: files.urlOf(stored.id),
          size: stored.size,
          format: input.to,
          duration: round(made.duration),
          width: made.video?.width ?? null,
          height: made.video?.height ?? null,
          videoCodec: made.video?.codec ?? null,
          audioCodec: made.audio?.codec ?? null,
          source: {
            name: source.name,
            duration: round(info.duration),
            format: info.formatName,
            width: info.video?.width ?? null,
            height: info.video?.height ?? null,
          },
        };
      } catch (error) {
        await output.discard();
        throw error;
      }
    },
  };
}
