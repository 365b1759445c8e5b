import { stat } from 'node:fs/promises';
import { definePlugin, optionsCheckedBy } from 'remotetask';
import { type DetailRenderer, DetailRenderers } from 'remotetask/dashboard';
import { trustedHtml } from 'remotetask/http';
import { findMediaTools, type MediaTools } from './find-executable.js';
import { renderVideoConvertDetail, renderVideoConvertSummary } from './render-detail.js';
import { resolveVideoConvertSettings } from './video-convert-options.js';
import { createVideoConvertTask } from './video-convert-task.js';

export { createVideoConvertTask, outputName, type VideoConvertResult, type VideoConvertTaskOptions } from './video-convert-task.js';
export { videoConvertInputSchema, type VideoConvertInput } from './input-schema.js';
export { TARGET_FORMATS, FORMATS, type TargetFormat } from './formats.js';
export { buildFfmpegArgs, type ConversionPlan } from './build-ffmpeg-args.js';
export { probeMedia, type MediaInfo } from './probe-media.js';
export { findMediaTools, type MediaTools } from './find-executable.js';
export { renderVideoConvertDetail, renderVideoConvertSummary } from './render-detail.js';
export { type VideoConvertPluginOptions, resolveVideoConvertSettings } from './video-convert-options.js';

const isDirectory = (path: string) => stat(path).then((info) => info.isDirectory(), () => false);

/**
 * The `video-convert` task: converts uploaded videos (or files in `mediaDir`) to mp4, webm, gif or
 * mp3 with ffmpeg, on whichever process runs the job, into the file store of the `files` plugin.
 */
export default definePlugin({
  name: 'video-convert',
  version: '1.0.0',
  dependencies: ['files'],
  // Checked with the config at boot; paths resolve against the config's directory later.
  options: optionsCheckedBy((options: Record<string, unknown>) => resolveVideoConvertSettings(options, '.')),
  register(ctx) {
    const settings = resolveVideoConvertSettings(ctx.options, ctx.baseDir);
    let found: Promise<MediaTools> | undefined;
    // Looked up when first needed, and again after a miss: a process that never converts (a web
    // server whose workers do) needs no ffmpeg, and installing it later needs no restart.
    const tools = () => {
      found ??= findMediaTools(settings, ctx.baseDir).catch((error: Error) => {
        found = undefined;
        throw error;
      });
      return found;
    };
    ctx.addTask('video-convert', createVideoConvertTask({ mediaDir: settings.mediaDir, tools, killGrace: settings.killGrace }));
    // The dashboard's detail column (plain text, escaped there) and job page (escaped here).
    ctx.contribute<DetailRenderer>(DetailRenderers, {
      task: 'video-convert',
      detail: renderVideoConvertSummary,
      page: (job) => trustedHtml(renderVideoConvertDetail(job)),
    });
    ctx.on('bootstrap', async () => {
      if (settings.mediaDir && !(await isDirectory(settings.mediaDir))) {
        ctx.logger.warn(`the media directory ${settings.mediaDir} (option mediaDir) is not a directory: jobs with a path fail until it is`);
      }
      try {
        const { ffmpeg, ffprobe } = await tools();
        ctx.logger.info(`video-convert uses ${ffmpeg} and ${ffprobe}${settings.mediaDir ? `; paths are read from ${settings.mediaDir}` : ''}`);
      } catch (error) {
        ctx.logger.warn(`${(error as Error).message}; video-convert jobs fail on this process until it is found`);
      }
    });
  },
});
