import type { StoredFile } from './file-store.js';

/** A file as the files plugin's routes answer with it (`POST /api/files`, `GET /api/files/{id}/info`). */
export interface FileJson extends StoredFile {
  /** Where to download it: `/api/files/{id}`. */
  url: string;
}
