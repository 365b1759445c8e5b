import { realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { TaskError } from 'remotetask';
import { FileNotFoundError, type TaskFiles } from '../files/index.js';
import type { VideoConvertInput } from './input-schema.js';

export interface Source {
  /** The real, absolute path to read. */
  path: string;
  /** The name to show and to derive the output's name from. */
  name: string;
  /** How to name it in messages: `file <id>` or `path "<path>"`. */
  label: string;
}

/** Whether `path` lies strictly inside `dir` (both absolute and normalized). */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * The file a job converts: an uploaded file by id, or a path inside the media directory. A path is
 * resolved and followed through symbolic links; whatever ends up outside the directory (`../..`,
 * an absolute path elsewhere, a link pointing out) is refused with a TaskError.
 */
export async function resolveSource(
  input: Pick<VideoConvertInput, 'file' | 'path'>,
  where: { files: TaskFiles; mediaDir?: string },
): Promise<Source> {
  if (input.file !== undefined) {
    const label = `file ${input.file}`;
    try {
      const path = await where.files.path(input.file);
      const stored = await where.files.get(input.file);
      return { path, name: stored?.name ?? input.file, label };
    } catch (error) {
      if (FileNotFoundError.is(error)) {
        throw new TaskError(`there is no uploaded file ${input.file}: it was never uploaded, has expired or was deleted`);
      }
      throw error;
    }
  }
  const wanted = input.path!;
  const label = `path ${JSON.stringify(wanted)}`;
  if (!where.mediaDir) {
    throw new TaskError(`${label}: paths are not allowed, the video-convert plugin has no mediaDir; upload the file and give its id as file`);
  }
  let root: string;
  try {
    root = await realpath(where.mediaDir);
  } catch {
    throw new TaskError(`${label}: the media directory ${where.mediaDir} does not exist`);
  }
  const candidate = resolve(root, wanted);
  // Lexically first, against the configured directory and its real path, for a plain message on `../..`.
  const lexicallyInside = isInside(root, candidate) || isInside(resolve(where.mediaDir), resolve(where.mediaDir, wanted));
  if (!lexicallyInside) throw new TaskError(`${label} is outside the media directory`);
  let real: string;
  try {
    real = await realpath(isInside(root, candidate) ? candidate : resolve(where.mediaDir, wanted));
  } catch {
    throw new TaskError(`${label}: there is no such file in the media directory`);
  }
  if (!isInside(root, real)) throw new TaskError(`${label} leads outside the media directory (through a symbolic link)`);
  if (!(await stat(real)).isFile()) throw new TaskError(`${label} is not a regular file`);
  return { path: real, name: basename(wanted), label };
}
