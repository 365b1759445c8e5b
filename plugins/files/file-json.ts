/** A file as the files plugin's routes answer with it (`POST /api/files`, `GET /api/files/{id}/info`). */
export interface FileJson {
  id: string;
  name: string;
  size: number;
  /** The content type downloads are served with. */
  type: string;
  created: string;
  /** When it is removed; null: never. */
  expires: string | null;
  meta?: Record<string, unknown>;
  /** Where to download it: `/api/files/{id}`. */
  url: string;
}
