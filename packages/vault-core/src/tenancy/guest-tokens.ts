import { randomUUID } from 'node:crypto';
import { appendActorAudit, appendAudit } from '../audit/audit-log.js';
import { newToken, tokenHash } from '../crypto/access-token.js';
import { isUuid, type Tx, withSystem, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError, SessionInvalidError, ValidationError } from '../errors.js';
import { exitMark } from '../media/exit-marks.js';
import { audioFileName } from '../media/file-names.js';
import { mediaOf } from '../media/marked-media.js';
import type { MediaSource } from '../media/media-source.js';
import { decryptObjectRow } from '../objects/object-store.js';
import { type Actor, authorize } from '../policies.js';

/** What a guest token opens: exactly one track, or the tracks of one folder (a project). */
export type GuestScope = { trackId: string } | { folderId: string };

/** A guest token as listed to its organization (never the token). */
export interface GuestToken {
  id: string;
  label: string;
  scope: GuestScope;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  uses: number;
}

/** Longest a guest token may live: 90 days. */
export const GUEST_TOKEN_MAX_MS = 90 * 86_400_000;

// biome-ignore lint/suspicious/noExplicitAny: database row
function toGuestToken(r: any): GuestToken {
  return {
    id: r.id,
    label: r.label,
    scope: r.track_id ? { trackId: r.track_id } : { folderId: r.folder_id },
    createdAt: new Date(r.created_at),
    expiresAt: new Date(r.expires_at),
    revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
    lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null,
    uses: Number(r.uses),
  };
}

/** Creates a guest token for one track or folder of the actor's tenant; the token is shown once. */
export async function createGuestToken(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  input: { label: string; scope: GuestScope; expiresAt: Date },
): Promise<{ token: string; guestToken: GuestToken }> {
  authorize(actor, 'guestToken', 'create');
  const label = typeof input.label === 'string' ? input.label.trim().slice(0, 200) : '';
  if (!label) throw new ValidationError('label required', 'label');
  const now = deps.clock.now();
  const expiresAt = new Date(input.expiresAt);
  if (!(expiresAt > now) || expiresAt.getTime() - now.getTime() > GUEST_TOKEN_MAX_MS) {
    throw new ValidationError('expiry must be in the next 90 days', 'expiresAt');
  }
  const trackId = 'trackId' in input.scope ? input.scope.trackId : null;
  const folderId = 'folderId' in input.scope ? input.scope.folderId : null;
  const target = trackId ?? folderId;
  if (!isUuid(target)) throw new ValidationError('unknown track or folder', 'scope');
  const token = newToken();
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const exists = await tx(trackId ? 'tracks' : 'folders')
      .where({ id: target })
      .first('id');
    if (!exists) throw new ValidationError('unknown track or folder', 'scope');
    const id = randomUUID();
    const [r] = await tx('guest_tokens')
      .insert({
        id,
        tenant_id: actor.tenantId,
        token_hash: tokenHash(token),
        label,
        track_id: trackId,
        folder_id: folderId,
        created_by: actor.userId,
        created_at: now,
        expires_at: expiresAt,
      })
      .returning('*');
    await appendActorAudit(tx, now, actor, {
      action: 'guest_token.create',
      objectType: 'guest_token',
      objectId: id,
    });
    return r;
  });
  return { token, guestToken: toGuestToken(row) };
}

/** The organization's guest tokens, newest first. */
export async function listGuestTokens(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
): Promise<GuestToken[]> {
  authorize(actor, 'guestToken', 'read');
  const rows = await withTenant(deps.db, actor.tenantId, (tx) =>
    tx('guest_tokens').orderBy('created_at', 'desc'),
  );
  return rows.map(toGuestToken);
}

/** Revokes a guest token; the next use fails. */
export async function revokeGuestToken(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  id: string,
): Promise<void> {
  authorize(actor, 'guestToken', 'revoke');
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    const now = deps.clock.now();
    const n = isUuid(id)
      ? await tx('guest_tokens')
          .where({ id })
          .whereNull('revoked_at')
          .update({ revoked_at: now })
          .returning('id')
      : [];
    if (n.length === 0) throw new NotFoundError('guest token');
    await appendActorAudit(tx, now, actor, {
      action: 'guest_token.revoke',
      objectType: 'guest_token',
      objectId: id,
    });
  });
}

/** A guest's view of one use of their token. */
export interface GuestAccess {
  tenantId: string;
  guestTokenId: string;
  label: string;
  tracks: Array<{
    id: string;
    title: string;
    artist: string | null;
    durationSeconds: number | null;
  }>;
}

async function resolveGuest(deps: Pick<VaultDeps, 'db' | 'clock'>, token: string) {
  if (typeof token !== 'string' || token.length > 200) throw new SessionInvalidError();
  // The token names its tenant only through its hash: a system lookup by the unique index.
  const row = await withSystem(deps.db, (tx) =>
    tx('guest_tokens')
      .where({ token_hash: tokenHash(token) })
      .first('id', 'tenant_id'),
  );
  if (!row) throw new SessionInvalidError();
  return row as { id: string; tenant_id: string };
}

/**
 * Logs one use of a guest token row (locked by the caller) and lists what it grants: the use
 * counter, an audit event with the hashed address. `null` when the token is revoked or expired.
 */
export async function grantedAccess(
  tx: Tx,
  now: Date,
  // biome-ignore lint/suspicious/noExplicitAny: database row
  g: any,
  client: { ipHash?: string | null } = {},
): Promise<GuestAccess | null> {
  if (!g || g.revoked_at || new Date(g.expires_at) <= now) return null;
  await tx('guest_tokens')
    .where({ id: g.id })
    .update({ last_used_at: now, uses: Number(g.uses) + 1 });
  await appendAudit(tx, now, {
    tenantId: g.tenant_id,
    action: 'guest_token.use',
    objectType: 'guest_token',
    objectId: g.id,
    ipHash: client.ipHash ?? null,
  });
  const tracks = await tx('tracks')
    .where(g.track_id ? { id: g.track_id } : { folder_id: g.folder_id })
    .orderBy('title')
    .select('id', 'title', 'artist', 'duration_seconds');
  return {
    tenantId: g.tenant_id as string,
    guestTokenId: g.id as string,
    label: g.label as string,
    tracks: tracks.map((t) => ({
      id: t.id,
      title: t.title,
      artist: t.artist,
      durationSeconds: t.duration_seconds == null ? null : Number(t.duration_seconds),
    })),
  };
}

/**
 * Opens a guest token: lists what it grants and logs the use (audit event with hashed IP, use
 * counter). Unknown, revoked and expired tokens fail alike, and so do the tokens of guest
 * invitations, which open only with the emailed code (a guest session).
 */
export async function useGuestToken(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  token: string,
  client: { ipHash?: string | null } = {},
): Promise<GuestAccess> {
  const found = await resolveGuest(deps, token);
  const now = deps.clock.now();
  const result = await withTenant(deps.db, found.tenant_id, async (tx) => {
    const g = await tx('guest_tokens').where({ id: found.id }).forUpdate().first();
    const invited = await tx('guest_invitations').where({ guest_token_id: found.id }).first('id');
    return invited ? null : grantedAccess(tx, now, g, client);
  });
  if (!result) throw new SessionInvalidError();
  return result;
}

/**
 * A guest's copy of one track's current version: the lossless WAV, marked inside the vault
 * with a payload of the guest token's own (its mapping names the token's label), so a copy a
 * guest lets out is traced to them. A track outside the token's scope is "not found"; the read
 * is audited.
 */
export async function openGuestTrackAudio(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys' | 'media'>,
  token: string,
  trackId: string,
  client: { ipHash?: string | null } = {},
): Promise<{ media: MediaSource; fileName: string }> {
  return guestTrackCopy(deps, await useGuestToken(deps, token, client), trackId, client);
}

/** The marked copy of a granted track for a guest whose use is already logged (see {@link openGuestTrackAudio}). */
export async function guestTrackCopy(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys' | 'media'>,
  access: GuestAccess,
  trackId: string,
  client: { ipHash?: string | null } = {},
): Promise<{ media: MediaSource; fileName: string }> {
  const track = access.tracks.find((t) => t.id === trackId);
  if (!track) throw new NotFoundError('track');
  const now = deps.clock.now();
  const found = await withTenant(deps.db, access.tenantId, async (tx) => {
    const r = await tx('track_versions')
      .join('tracks', 'tracks.id', 'track_versions.track_id')
      .join('objects', 'objects.id', 'track_versions.object_id')
      .where({ 'tracks.id': trackId })
      .whereRaw('track_versions.version = tracks.current_version')
      .first('objects.*');
    if (!r?.wrapped_key) return null;
    const mark = await exitMark(
      deps,
      tx,
      access.tenantId,
      { kind: 'guest', guestTokenId: access.guestTokenId, label: `guest: ${access.label}` },
      trackId,
      now,
    );
    await appendAudit(tx, now, {
      tenantId: access.tenantId,
      action: 'object.read',
      objectType: 'object',
      objectId: r.id,
      ipHash: client.ipHash ?? null,
      detail: { via: 'guest', grant: access.guestTokenId, keyId: mark.keyId, marked: true },
    });
    return { object: r, mark };
  });
  if (!found) throw new NotFoundError('track');
  const object = found.object;
  const media = await mediaOf(deps).wav(
    { objectId: object.id, open: () => decryptObjectRow(deps, object) },
    found.mark,
  );
  return { media, fileName: audioFileName(track.title) };
}
