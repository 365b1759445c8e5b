import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Finds a program: a path (relative to `baseDir`) when `name` has a slash, else the first
 * executable of that name on `PATH`. Undefined when there is none.
 */
export async function findExecutable(name: string, baseDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (name.includes('/') || isAbsolute(name)) {
    const path = resolve(baseDir, name);
    return (await isExecutable(path)) ? path : undefined;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, name);
    if (await isExecutable(path)) return path;
  }
  return undefined;
}

export interface MediaTools {
  ffmpeg: string;
  ffprobe: string;
}

/**
 * ffmpeg and ffprobe: the plugin options `ffmpegPath`/`ffprobePath`, else the environment's
 * `FFMPEG_PATH`/`FFPROBE_PATH`, else `ffmpeg`/`ffprobe` on `PATH`. Throws saying what is missing
 * and how to provide it.
 */
export async function findMediaTools(
  configured: { ffmpegPath?: string; ffprobePath?: string },
  baseDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<MediaTools> {
  const find = async (tool: 'ffmpeg' | 'ffprobe', option: string | undefined, variable: string) => {
    const wanted = option ?? env[variable] ?? tool;
    const found = await findExecutable(wanted, baseDir, env);
    if (found) return found;
    const source = option !== undefined ? `the plugin option ${tool}Path` : env[variable] ? `the environment variable ${variable}` : 'PATH';
    throw new Error(
      `${tool} not found (looked for ${JSON.stringify(wanted)} through ${source}): install ffmpeg (apt-get install ffmpeg) ` +
        `or set the video-convert plugin's ${tool}Path option`,
    );
  };
  return {
    ffmpeg: await find('ffmpeg', configured.ffmpegPath, 'FFMPEG_PATH'),
    ffprobe: await find('ffprobe', configured.ffprobePath, 'FFPROBE_PATH'),
  };
}
