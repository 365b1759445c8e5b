/** The formats `video-convert` makes. */
export const TARGET_FORMATS = ['mp4', 'webm', 'gif', 'mp3'] as const;
export type TargetFormat = (typeof TARGET_FORMATS)[number];

export interface FormatInfo {
  /** For people: the dashboard, logs. */
  label: string;
  /** ffmpeg's muxer (`-f`). */
  muxer: string;
  /** What the input must have. */
  needs: 'video' | 'audio';
  /** The input options that apply, besides file, path, to, start and duration. */
  options: Array<'width' | 'height' | 'videoBitrate' | 'audioBitrate'>;
}

export const FORMATS: Record<TargetFormat, FormatInfo> = {
  mp4: { label: 'MP4 (H.264/AAC)', muxer: 'mp4', needs: 'video', options: ['width', 'height', 'videoBitrate', 'audioBitrate'] },
  webm: { label: 'WebM (VP9/Opus)', muxer: 'webm', needs: 'video', options: ['width', 'height', 'videoBitrate', 'audioBitrate'] },
  gif: { label: 'GIF (animated)', muxer: 'gif', needs: 'video', options: ['width', 'height'] },
  mp3: { label: 'MP3 (audio only)', muxer: 'mp3', needs: 'audio', options: ['audioBitrate'] },
};

/**
 * The demuxers inputs may use (ffmpeg's `-format_whitelist`): common audio and video containers.
 * Playlists (HLS, concat) and other formats that open further files or URLs are not among them,
 * so a crafted upload cannot make ffmpeg read anything but itself.
 */
export const INPUT_DEMUXERS = [
  'avi', 'mov', 'mp4', 'matroska', 'webm', 'mpeg', 'mpegts', 'flv', 'asf', 'ogg', 'wav', 'mp3', 'aac', 'flac', 'gif', 'dv', 'aiff', 'mxf', 'm4v', 'h264', 'hevc',
];
