import { appendActorAudit } from '../audit/audit-log.js';
import { type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { ValidationError } from '../errors.js';
import {
  checkImage,
  readImageObject,
  replaceImageObject,
  type StoredImage,
} from '../objects/image-object.js';
import { eraseObjectKey } from '../objects/object-store.js';
import { type Actor, authorize } from '../policies.js';
import { type RecipientClient, requireGrant, withRecipient } from '../shares/recipient-access.js';

/** Largest logo accepted: 1 MiB. */
export const LOGO_MAX_BYTES = 1024 * 1024;

/** How an organization presents itself on its recipients' pages. */
export interface Branding {
  /** Accent colour `#rrggbb`, or `null` for the default. */
  brandColor: string | null;
  /** Whether the organization has a logo. */
  hasLogo: boolean;
}

const COLOR = /^#[0-9a-f]{6}$/;

async function brandingRow(tx: Tx, tenantId: string): Promise<Branding> {
  const row = await tx('organizations')
    .where({ id: tenantId })
    .first('brand_color', 'logo_object_id');
  return { brandColor: row?.brand_color ?? null, hasLogo: Boolean(row?.logo_object_id) };
}

/** The organization's branding (members). */
export async function getBranding(deps: Pick<VaultDeps, 'db'>, actor: Actor): Promise<Branding> {
  authorize(actor, 'organization', 'read');
  return withTenant(deps.db, actor.tenantId, (tx) => brandingRow(tx, actor.tenantId));
}

/** Sets the accent colour (`#rrggbb`, any case; `null` for the default); admins; audited. */
export async function setBrandColor(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  color: string | null,
): Promise<Branding> {
  authorize(actor, 'organization', 'update');
  const value = typeof color === 'string' ? color.trim().toLowerCase() : color;
  if (value !== null && (typeof value !== 'string' || !COLOR.test(value))) {
    throw new ValidationError('the colour must look like #1a2b3c', 'brandColor');
  }
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    await tx('organizations').where({ id: actor.tenantId }).update({ brand_color: value });
    await appendActorAudit(tx, deps.clock.now(), actor, {
      action: 'organization.brand_color',
      objectType: 'organization',
      objectId: actor.tenantId,
      detail: { brandColor: value },
    });
    return brandingRow(tx, actor.tenantId);
  });
}

/**
 * Sets the organization's logo (admins): a PNG, JPEG or WebP image of at most
 * {@link LOGO_MAX_BYTES}, checked by its signature, stored encrypted like the audio. The previous
 * logo is crypto-erased. Audited as `organization.logo`.
 */
export async function setLogo(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys'>,
  actor: Actor,
  image: Buffer,
): Promise<{ contentType: StoredImage['contentType']; sizeBytes: number }> {
  authorize(actor, 'organization', 'update');
  const contentType = checkImage(
    image,
    { maxBytes: LOGO_MAX_BYTES, label: '1 MB' },
    'the logo',
    'logo',
  );
  await replaceImageObject(deps, actor, 'logo', image, async (tx, now, objectId) => {
    const org = await tx('organizations')
      .where({ id: actor.tenantId })
      .forUpdate()
      .first('logo_object_id');
    await tx('organizations').where({ id: actor.tenantId }).update({ logo_object_id: objectId });
    await appendActorAudit(tx, now, actor, {
      action: 'organization.logo',
      objectType: 'organization',
      objectId: actor.tenantId,
      detail: { objectId, contentType },
    });
    return org?.logo_object_id ?? null;
  });
  return { contentType, sizeBytes: image.length };
}

/** Removes the organization's logo (crypto-erased; admins); audited as `organization.logo`. */
export async function removeLogo(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage'>,
  actor: Actor,
): Promise<void> {
  authorize(actor, 'organization', 'update');
  const erased = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const now = deps.clock.now();
    const org = await tx('organizations')
      .where({ id: actor.tenantId })
      .forUpdate()
      .first('logo_object_id');
    if (!org?.logo_object_id) return null;
    await tx('organizations').where({ id: actor.tenantId }).update({ logo_object_id: null });
    const key = await eraseObjectKey(tx, org.logo_object_id, now);
    await appendActorAudit(tx, now, actor, {
      action: 'organization.logo',
      objectType: 'organization',
      objectId: actor.tenantId,
      detail: { objectId: null },
    });
    return key;
  });
  if (erased) await deps.storage.delete(erased).catch(() => undefined);
}

const LOGO_ROW = (tx: Tx, tenantId: string) =>
  tx('organizations')
    .join('objects', 'objects.id', 'organizations.logo_object_id')
    .where({ 'organizations.id': tenantId })
    .first('objects.*');

/** The organization's logo for its members (`not_found` when it has none). */
export async function getLogo(
  deps: Pick<VaultDeps, 'db' | 'storage' | 'keys'>,
  actor: Actor,
): Promise<StoredImage> {
  authorize(actor, 'organization', 'read');
  const row = await withTenant(deps.db, actor.tenantId, (tx) => LOGO_ROW(tx, actor.tenantId));
  return readImageObject(deps, row, 'logo');
}

/** The branding of the organization that owns a recipient's link (checked like the page). */
export async function recipientBranding(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  token: string,
  client: Pick<RecipientClient, 'grant'> = {},
): Promise<Branding> {
  return withRecipient(deps, token, async (tx, ctx, now) => {
    await requireGrant(tx, ctx, client.grant, now);
    return brandingRow(tx, ctx.tenantId);
  });
}

/** The logo of the organization that owns a recipient's link (`not_found` when it has none). */
export async function recipientLogo(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys'>,
  token: string,
  client: Pick<RecipientClient, 'grant'> = {},
): Promise<StoredImage> {
  const row = await withRecipient(deps, token, async (tx, ctx, now) => {
    await requireGrant(tx, ctx, client.grant, now);
    return LOGO_ROW(tx, ctx.tenantId);
  });
  return readImageObject(deps, row, 'logo');
}
