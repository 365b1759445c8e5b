import { FORMATS, INPUT_DEMUXERS, type TargetFormat } from './formats.js';

export interface ConversionPlan {
  /** Absolute path of the input. */
  input: string;
  /** Absolute path to write. */
  output: string;
  to: TargetFormat;
  width?: number;
  height?: number;
  videoBitrate?: string;
  audioBitrate?: string;
  start?: number;
  duration?: number;
  /** Whether the input has an audio stream to keep (mp4, webm). */
  withAudio: boolean;
}

/** How often ffmpeg reports progress (seconds). */
export const PROGRESS_PERIOD = 0.25;

/** Seconds as ffmpeg reads them: a plain decimal, never exponent notation. */
export function seconds(value: number): string {
  return value.toFixed(3);
}

/** Paths go to ffmpeg behind `file:`: never read as an option, a protocol or a URL. */
export function fileUrl(path: string): string {
  if (!path.startsWith('/')) throw new Error(`ffmpeg gets absolute paths only, got ${JSON.stringify(path)}`);
  return `file:${path}`;
}

/** The input options that keep ffmpeg (and ffprobe) to the one local file and the known containers. */
export function inputRestrictions(): string[] {
  return ['-protocol_whitelist', 'file', '-format_whitelist', INPUT_DEMUXERS.join(',')];
}

function scaleFilter(plan: ConversionPlan): string | undefined {
  const { width, height } = plan;
  if (width !== undefined && height !== undefined) return `scale=${width}:${height}`;
  if (width !== undefined) return `scale=${width}:-2`;
  if (height !== undefined) return `scale=-2:${height}`;
  // H.264 and VP9 in 4:2:0 need even dimensions.
  return plan.to === 'gif' ? undefined : 'scale=trunc(iw/2)*2:trunc(ih/2)*2';
}

function formatArgs(plan: ConversionPlan): string[] {
  const scale = scaleFilter(plan);
  const audio = (codec: string, defaultBitrate: string) =>
    plan.withAudio ? ['-map', '0:a:0', '-c:a', codec, '-b:a', plan.audioBitrate ?? defaultBitrate] : ['-an'];
  switch (plan.to) {
    case 'mp4':
      return [
        '-map', '0:v:0', '-vf', scale!,
        '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
        ...(plan.videoBitrate ? ['-b:v', plan.videoBitrate] : ['-crf', '23']),
        ...audio('aac', '128k'),
        '-movflags', '+faststart',
      ];
    case 'webm':
      return [
        '-map', '0:v:0', '-vf', scale!,
        '-c:v', 'libvpx-vp9', '-deadline', 'good', '-cpu-used', '5', '-row-mt', '1', '-pix_fmt', 'yuv420p',
        ...(plan.videoBitrate ? ['-b:v', plan.videoBitrate] : ['-crf', '33', '-b:v', '0']),
        ...audio('libopus', '96k'),
      ];
    case 'gif': {
      const size = scale ? `${scale}:flags=lanczos,` : '';
      return [
        '-map', '0:v:0',
        '-vf', `fps=10,${size}split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer`,
        '-an',
      ];
    }
    case 'mp3':
      return ['-map', '0:a:0', '-vn', '-c:a', 'libmp3lame', ...(plan.audioBitrate ? ['-b:a', plan.audioBitrate] : ['-q:a', '4'])];
  }
}

/**
 * ffmpeg's arguments for one conversion, as an array for `spawn` (no shell ever sees them). Every
 * value in it is a fixed word, a number formatted here, a bitrate the input schema bounded, or a
 * path behind `file:`.
 */
export function buildFfmpegArgs(plan: ConversionPlan): string[] {
  return [
    '-hide_banner', '-nostdin', '-v', 'error', '-y',
    ...inputRestrictions(),
    ...(plan.start ? ['-ss', seconds(plan.start)] : []),
    ...(plan.duration !== undefined ? ['-t', seconds(plan.duration)] : []),
    '-i', fileUrl(plan.input),
    '-map_metadata', '-1', '-sn', '-dn',
    ...formatArgs(plan),
    '-progress', 'pipe:1', '-stats_period', String(PROGRESS_PERIOD), '-nostats',
    '-f', FORMATS[plan.to].muxer,
    fileUrl(plan.output),
  ];
}
