import { ValidationError } from '../errors.js';

function text(value: unknown, field: string, max: number, required = false): string | null {
  if (value === undefined || value === null || value === '') {
    if (required) throw new ValidationError(`${field} required`, field);
    return null;
  }
  if (typeof value !== 'string') throw new ValidationError(`${field} must be text`, field);
  // Control characters never belong in metadata (they break logs and headers).
  const v = value.replace(/\p{Cc}/gu, '').trim();
  if (required && !v) throw new ValidationError(`${field} required`, field);
  if (v.length > max) throw new ValidationError(`${field} longer than ${max}`, field);
  return v || null;
}

/** Editable track metadata. Only these fields are ever copied from input (no mass assignment). */
export interface TrackPatch {
  title?: string;
  artist?: string | null;
  bpm?: number | null;
  key?: string | null;
  tags?: string[];
  folderId?: string | null;
  /** Free notes for the organization's members (lyrics, mix notes, credits), up to 5,000 characters. */
  notes?: string | null;
}

/** Notes keep their line breaks and tabs; other control characters go. */
function notes(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new ValidationError('notes must be text', 'notes');
  const v = value
    .replace(/[^\P{Cc}\n\t]/gu, '')
    .replace(/\r\n?/g, '\n')
    .trim();
  if (v.length > 5000) throw new ValidationError('notes longer than 5000', 'notes');
  return v || null;
}

/** Validates a patch into database columns. */
export function trackPatchColumns(patch: TrackPatch): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if ('title' in patch) out.title = text(patch.title, 'title', 300, true);
  if ('artist' in patch) out.artist = text(patch.artist, 'artist', 300);
  if ('key' in patch) out.musical_key = text(patch.key, 'key', 16);
  if ('bpm' in patch) {
    const bpm = patch.bpm;
    if (
      bpm !== null &&
      (typeof bpm !== 'number' || !Number.isFinite(bpm) || bpm <= 0 || bpm > 999)
    ) {
      throw new ValidationError('bpm must be between 0 and 999', 'bpm');
    }
    out.bpm = bpm;
  }
  if ('tags' in patch) out.tags = normalizeTags(patch.tags);
  if ('folderId' in patch) out.folder_id = patch.folderId ?? null;
  if ('notes' in patch) out.notes = notes(patch.notes);
  return out;
}

/** Trimmed, lower-cased, de-duplicated tags; at most 50 of at most 50 characters. */
export function normalizeTags(tags: unknown): string[] {
  if (!Array.isArray(tags)) throw new ValidationError('tags must be a list', 'tags');
  const out = [
    ...new Set(tags.map((t) => text(t, 'tags', 50)?.toLowerCase()).filter(Boolean)),
  ] as string[];
  if (out.length > 50) throw new ValidationError('at most 50 tags', 'tags');
  return out;
}

/**
 * The original file name as metadata only (never a storage path): its last path segment,
 * without control characters, at most 255 characters.
 */
export function cleanFileName(name: unknown): string | null {
  if (typeof name !== 'string') return null;
  const base = name.split(/[/\\]/).pop() ?? '';
  return text(base, 'originalFileName', 255);
}

/** Title from a file name: the name without its extension. */
export function titleFromFileName(name: string | null): string {
  const t = (name ?? '').replace(/\.[A-Za-z0-9]{1,5}$/, '').trim();
  return t.slice(0, 300) || 'Untitled';
}
