import { Readable } from 'node:stream';
import type { Track } from '../src/catalog/tracks.js';
import { uploadTrack } from '../src/catalog/tracks.js';
import type { Actor } from '../src/policies.js';
import type { TestDeps } from './deps.js';

/** Uploads small placeholder tracks (bytes that are never decoded) for share tests. */
export async function placeholderTracks(
  deps: TestDeps,
  actor: Actor,
  titles: string[],
  folderId?: string,
): Promise<Track[]> {
  const out: Track[] = [];
  for (const title of titles) {
    out.push(
      await uploadTrack(deps, actor, {
        body: Readable.from([Buffer.from(`audio of ${title}`)]),
        title,
        originalFileName: `${title}.wav`,
        ...(folderId ? { folderId } : {}),
      }),
    );
  }
  return out;
}

/** The error code and message a promise rejects with (or null when it resolves). */
export function failure(p: Promise<unknown>): Promise<[string, string] | null> {
  return p.then(
    () => null,
    (e: Error & { code: string }) => [e.code, e.message],
  );
}
