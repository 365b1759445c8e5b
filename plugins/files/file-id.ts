import { randomBytes } from 'node:crypto';

/** A file id: 16 random bytes in base64url, 22 characters of `A-Z a-z 0-9 _ -`. Never a path. */
export const FILE_ID_PATTERN = '^[A-Za-z0-9_-]{22}$';
const FILE_ID = new RegExp(FILE_ID_PATTERN);

export function newFileId(): string {
  return randomBytes(16).toString('base64url');
}

/** Whether `value` has the shape of a file id: checked before any id comes near the file system. */
export function isFileId(value: unknown): boolean {
  return typeof value === 'string' && FILE_ID.test(value);
}
