import { FILE_ID_PATTERN } from '../files/index.js';
import { FORMATS, TARGET_FORMATS, type TargetFormat } from './formats.js';

/** A job's input: one source (an uploaded file's id, or a path in the media directory) and a target. */
export interface VideoConvertInput {
  /** An uploaded file's id (`POST /api/files`). */
  file?: string;
  /** A file in the plugin's `mediaDir`, relative to it (or absolute, inside it). */
  path?: string;
  to: TargetFormat;
  /** Pixels, even; with only one of width and height the other keeps the aspect ratio. */
  width?: number;
  height?: number;
  /** `800k`, `2M`: 10k to 99M. */
  videoBitrate?: string;
  /** `128k`: 8k to 512k. */
  audioBitrate?: string;
  /** Seconds into the input to start at. */
  start?: number;
  /** Seconds to convert at most. */
  duration?: number;
}

const COMMON = ['file', 'path', 'to', 'start', 'duration'];

/** For each target format, only its own options: any other is reported as an unknown property. */
const perFormat = TARGET_FORMATS.map((to) => ({
  if: { properties: { to: { const: to } }, required: ['to'] },
  then: {
    additionalProperties: false,
    properties: Object.fromEntries([...COMMON, ...FORMATS[to].options].map((key) => [key, true])),
  },
}));

/**
 * The input schema: `add()` refuses anything else, so no job exists for bad input. Strings that
 * reach ffmpeg's command line are bounded by patterns (a bitrate is digits and a unit, a file id
 * is base64url), numbers by ranges: nothing in the input can become an ffmpeg option.
 */
export const videoConvertInputSchema = {
  type: 'object',
  description: 'Converts one media file: give exactly one of file (an uploaded file\'s id) and path (in the media directory).',
  additionalProperties: false,
  required: ['to'],
  oneOf: [{ required: ['file'] }, { required: ['path'] }],
  properties: {
    file: { type: 'string', pattern: FILE_ID_PATTERN, description: 'an uploaded file\'s id (POST /api/files)' },
    path: {
      type: 'string',
      minLength: 1,
      maxLength: 1024,
      pattern: '^[^\\u0000]+$',
      description: 'a file in the media directory (the plugin\'s mediaDir), relative to it',
    },
    to: { enum: [...TARGET_FORMATS], description: 'mp4 (H.264/AAC), webm (VP9/Opus), gif or mp3' },
    width: { type: 'integer', minimum: 2, maximum: 7680, multipleOf: 2, description: 'pixels, even' },
    height: { type: 'integer', minimum: 2, maximum: 4320, multipleOf: 2, description: 'pixels, even' },
    videoBitrate: { type: 'string', pattern: '^(?:[1-9][0-9]{1,5}k|[1-9][0-9]?M)$', description: 'like 800k or 2M (10k to 99M)' },
    audioBitrate: {
      type: 'string',
      pattern: '^(?:[89]|[1-9][0-9]|[1-4][0-9]{2}|50[0-9]|51[0-2])k$',
      description: 'like 128k (8k to 512k)',
    },
    start: { type: 'number', minimum: 0, maximum: 86400, description: 'seconds into the input' },
    duration: { type: 'number', exclusiveMinimum: 0, maximum: 86400, description: 'seconds to convert at most' },
  },
  allOf: perFormat,
} as const;
