import { resolve } from 'node:path';

/** The plugin's options: `['video-convert', { mediaDir, ffmpegPath, ffprobePath, killGrace }]`. */
export interface VideoConvertPluginOptions {
  /** Inputs may name files (`path`) inside it, relative to the config file. Without it, only uploads are converted. */
  mediaDir?: string;
  /** ffmpeg: a path (relative to the config file) or a name on PATH. Default: `FFMPEG_PATH`, else `ffmpeg` on PATH. */
  ffmpegPath?: string;
  /** ffprobe, the same way (`FFPROBE_PATH`). */
  ffprobePath?: string;
  /** After a cancel or timeout, how long ffmpeg may take to stop on SIGTERM before SIGKILL (ms). Default 2000; keep it under the service's abortGrace. */
  killGrace?: number;
}

export interface VideoConvertSettings {
  mediaDir?: string;
  ffmpegPath?: string;
  ffprobePath?: string;
  killGrace: number;
}

export const DEFAULT_KILL_GRACE = 2000;

/** Checks the options and resolves `mediaDir` against the config's directory. */
export function resolveVideoConvertSettings(options: Record<string, unknown>, baseDir: string): VideoConvertSettings {
  const known = ['mediaDir', 'ffmpegPath', 'ffprobePath', 'killGrace'];
  const problem = (text: string) => new Error(`plugin "video-convert": ${text}`);
  const unknown = Object.keys(options).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw problem(`unknown option(s) ${unknown.map((key) => `"${key}"`).join(', ')}; it takes ${known.join(', ')}`);
  const { mediaDir, ffmpegPath, ffprobePath, killGrace = DEFAULT_KILL_GRACE } = options as VideoConvertPluginOptions;
  for (const [key, value] of Object.entries({ mediaDir, ffmpegPath, ffprobePath })) {
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) throw problem(`option ${key} must be a path; got ${JSON.stringify(value)}`);
  }
  if (!Number.isInteger(killGrace) || killGrace < 0) throw problem(`option killGrace must be a whole number of milliseconds; got ${JSON.stringify(killGrace)}`);
  return { mediaDir: mediaDir === undefined ? undefined : resolve(baseDir, mediaDir), ffmpegPath, ffprobePath, killGrace };
}
