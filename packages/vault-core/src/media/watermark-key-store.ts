import { randomUUID } from 'node:crypto';
import { generateKey, type WatermarkKey } from '@vaultmark/watermark';
import { appendActorAudit } from '../audit/audit-log.js';
import type { Tx } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import type { Actor } from '../policies.js';

/*
 * The tenants' watermark keys: created on first use, wrapped by the KEK, unwrapped (and
 * remembered) to mark a copy or to search a found file. Below the use-cases that list and rotate
 * them (`shares/watermark-keys.ts`), beside the marking that needs them.
 */

/** Payload size of every recipient mark: 128 bits, the watermark SDK's default. */
export const PAYLOAD_BYTES = 16;

// The KEK binds each wrapped secret to its tenant and key id, like object data keys.
export const keyContext = (tenantId: string, keyId: string) => ({
  tenantId,
  objectId: `watermark-key/${keyId}`,
});

/** Creates a tenant's new watermark key (wrapped by the KEK) in the caller's transaction. */
export async function insertWatermarkKey(
  deps: Pick<VaultDeps, 'keys'>,
  tx: Tx,
  tenantId: string,
  at: Date,
  createdBy: string | null,
): Promise<{ id: string; key: WatermarkKey }> {
  const id = randomUUID();
  // The key's name is its id: the detector reports it, which says which key marked a copy.
  const key = generateKey({ name: id });
  const { wrapped, keyId } = await deps.keys.wrap(key.secret, keyContext(tenantId, id));
  await tx('watermark_keys').insert({
    id,
    tenant_id: tenantId,
    secret_wrapped: Buffer.from(wrapped),
    kek_id: keyId,
    created_by: createdBy,
    created_at: at,
  });
  return { id, key };
}

// biome-ignore lint/suspicious/noExplicitAny: database row
async function unwrapKey(deps: Pick<VaultDeps, 'keys'>, row: any): Promise<WatermarkKey> {
  const secret = await deps.keys.unwrap(
    row.secret_wrapped,
    keyContext(row.tenant_id, row.id),
    row.kek_id,
  );
  return { name: row.id, secret: new Uint8Array(secret), version: 1 };
}

/**
 * The tenant's current watermark key inside the caller's tenant transaction, created (and
 * audited) on first use. Concurrent first uses are serialised by locking the organization row
 * (and the partial unique index allows one current key per tenant whatever happens).
 */
export async function currentWatermarkKey(
  deps: Pick<VaultDeps, 'keys'>,
  tx: Tx,
  actor: Pick<Actor, 'tenantId' | 'ipHash'> & { userId: string | null },
  at: Date,
): Promise<{ id: string; key: WatermarkKey }> {
  let row = await tx('watermark_keys').whereNull('retired_at').first();
  if (!row) {
    // First use: lock the organization row, then look again (another transaction may have won).
    await tx('organizations').where({ id: actor.tenantId }).forUpdate().first('id');
    row = await tx('watermark_keys').whereNull('retired_at').first();
  }
  if (row) return { id: row.id, key: await unwrapKey(deps, row) };
  const created = await insertWatermarkKey(deps, tx, actor.tenantId, at, actor.userId);
  await appendActorAudit(tx, at, actor, {
    action: 'watermark_key.create',
    objectType: 'watermark_key',
    objectId: created.id,
  });
  return created;
}

/** The watermark key with this id, in the caller's tenant transaction. */
export async function watermarkKeyById(
  deps: Pick<VaultDeps, 'keys'>,
  tx: Tx,
  keyId: string,
): Promise<WatermarkKey | null> {
  const row = await tx('watermark_keys').where({ id: keyId }).first();
  return row ? watermarkKeyFromRow(deps, row) : null;
}

/** Unwrapped keys by key id and wrapped secret, per key wrapper: a KMS is asked once per key. */
const unwrapped = new WeakMap<object, Map<string, Promise<WatermarkKey>>>();

/**
 * The watermark key of a `watermark_keys` row read under its tenant's scope. Unwrapping is
 * remembered per key wrapper (a KMS round trip per seek would dominate a stream request); the
 * cache is keyed by the wrapped secret too, so a row can only ever yield its own key.
 */
export function watermarkKeyFromRow(
  deps: Pick<VaultDeps, 'keys'>,
  // biome-ignore lint/suspicious/noExplicitAny: database row
  row: any,
): Promise<WatermarkKey> {
  let cache = unwrapped.get(deps.keys);
  if (!cache) {
    cache = new Map();
    unwrapped.set(deps.keys, cache);
  }
  const id = `${row.tenant_id}:${row.id}:${row.kek_id}:${Buffer.from(row.secret_wrapped).toString('base64')}`;
  let key = cache.get(id);
  if (!key) {
    key = unwrapKey(deps, row);
    if (cache.size >= 1_000) cache.delete(cache.keys().next().value!);
    cache.set(id, key);
    key.catch(() => cache.delete(id));
  }
  return key;
}

/** Every watermark key of the transaction's tenant, current and previous (for detection). */
export async function allWatermarkKeys(
  deps: Pick<VaultDeps, 'keys'>,
  tx: Tx,
): Promise<WatermarkKey[]> {
  const rows = await tx('watermark_keys').orderBy('created_at');
  return Promise.all(rows.map((r) => unwrapKey(deps, r)));
}
