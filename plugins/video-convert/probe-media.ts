import { TaskError } from 'remotetask';
import { fileUrl, inputRestrictions } from './build-ffmpeg-args.js';
import { runProcess } from './run-process.js';

/** What ffprobe says of a media file. */
export interface MediaInfo {
  /** ffprobe's format name: `avi`, `mov,mp4,m4a,3gp,3g2,mj2`, `matroska,webm`, … */
  formatName: string;
  /** Seconds, or null when the container does not say. */
  duration: number | null;
  video: { codec: string; width: number; height: number } | null;
  audio: { codec: string; channels: number | null; sampleRate: number | null } | null;
}

interface ProbeJson {
  format?: { format_name?: string; duration?: string };
  streams?: Array<{
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    duration?: string;
    channels?: number;
    sample_rate?: string;
    disposition?: { attached_pic?: number };
  }>;
}

export interface ProbeOptions {
  signal?: AbortSignal;
  killGrace?: number;
  /** How the file is named in error messages (the user's name for it, not the server's path). */
  label?: string;
}

/**
 * The last meaningful line of ffmpeg's stderr, without the `[avi @ 0x…]` prefix and without the
 * server's paths: `file:<path>: ` goes, any other mention of a path becomes its label.
 */
export function lastErrorLine(stderr: string, paths: Record<string, string> = {}): string {
  const lines = stderr.split('\n').map((line) => line.trim()).filter(Boolean);
  let line = (lines.at(-1) ?? '').replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/i, '');
  for (const [path, label] of Object.entries(paths)) {
    if (line.startsWith(`file:${path}: `)) line = line.slice(`file:${path}: `.length);
    line = line.split(`file:${path}`).join(label).split(path).join(label);
  }
  return line;
}

function positive(text: string | undefined): number | null {
  const value = Number(text);
  return Number.isFinite(value) && value > 0 ? value : null;
}

/**
 * Runs ffprobe on a file (only the known containers, only the local file) and reads its JSON. A
 * file ffprobe cannot read is a TaskError: the same file will not read better on a retry.
 */
export async function probeMedia(ffprobe: string, path: string, options: ProbeOptions = {}): Promise<MediaInfo> {
  const label = options.label ?? 'the file';
  const result = await runProcess(
    ffprobe,
    ['-hide_banner', '-v', 'error', ...inputRestrictions(), '-print_format', 'json', '-show_format', '-show_streams', fileUrl(path)],
    { signal: options.signal, killGrace: options.killGrace, collectStdout: true },
  );
  if (result.aborted) throw new Error('probing stopped: the job was aborted');
  if (result.code !== 0) {
    const reason = lastErrorLine(result.stderr, { [path]: label });
    const hint = /not on whitelist/i.test(reason) ? 'its container is not one video-convert reads' : reason || `ffprobe exited with ${result.code ?? result.exitSignal}`;
    throw new TaskError(`${label} is not a media file ffprobe can read: ${hint}`);
  }
  let json: ProbeJson;
  try {
    json = JSON.parse(result.stdout) as ProbeJson;
  } catch {
    throw new TaskError(`${label}: ffprobe's answer is not JSON`);
  }
  const streams = json.streams ?? [];
  // Cover art in an MP3 is a "video" stream of one picture: not a video.
  const video = streams.find((stream) => stream.codec_type === 'video' && !stream.disposition?.attached_pic && stream.width && stream.height);
  const audio = streams.find((stream) => stream.codec_type === 'audio');
  if (!video && !audio) throw new TaskError(`${label} has neither a video nor an audio stream`);
  const duration = positive(json.format?.duration) ?? positive(video?.duration) ?? positive(audio?.duration);
  return {
    formatName: json.format?.format_name ?? 'unknown',
    duration,
    video: video ? { codec: video.codec_name ?? 'unknown', width: video.width!, height: video.height! } : null,
    audio: audio
      ? { codec: audio.codec_name ?? 'unknown', channels: audio.channels ?? null, sampleRate: positive(audio.sample_rate) }
      : null,
  };
}
