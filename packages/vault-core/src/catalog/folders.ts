import { randomUUID } from 'node:crypto';
import { appendActorAudit } from '../audit/audit-log.js';
import { isUuid, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';

/** A folder of the library. */
export interface Folder {
  id: string;
  name: string;
  parentId: string | null;
  createdAt: Date;
}

function folderName(name: unknown): string {
  const n = typeof name === 'string' ? name.replace(/\p{Cc}/gu, '').trim() : '';
  if (!n || n.length > 200)
    throw new ValidationError('folder name must be 1-200 characters', 'name');
  return n;
}

/** Creates a folder (optionally inside another folder of the same tenant). */
export async function createFolder(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  input: { name: string; parentId?: string | null },
): Promise<Folder> {
  authorize(actor, 'folder', 'create');
  const name = folderName(input.name);
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const parentId = input.parentId ?? null;
    if (
      parentId !== null &&
      (!isUuid(parentId) || !(await tx('folders').where({ id: parentId }).first('id')))
    ) {
      throw new ValidationError('unknown parent folder', 'parentId');
    }
    const now = deps.clock.now();
    const id = randomUUID();
    await tx('folders').insert({
      id,
      tenant_id: actor.tenantId,
      parent_id: parentId,
      name,
      created_at: now,
    });
    await appendActorAudit(tx, now, actor, {
      action: 'folder.create',
      objectType: 'folder',
      objectId: id,
    });
    return { id, name, parentId, createdAt: now };
  });
}

/** All folders of the actor's tenant, by name. */
export async function listFolders(deps: Pick<VaultDeps, 'db'>, actor: Actor): Promise<Folder[]> {
  authorize(actor, 'folder', 'read');
  const rows = await withTenant(deps.db, actor.tenantId, (tx) =>
    tx('folders').orderBy(['name', 'id']),
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    parentId: r.parent_id,
    createdAt: new Date(r.created_at),
  }));
}

/** Deletes a folder and its sub-folders; tracks in them move to the library root. */
export async function deleteFolder(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  folderId: string,
): Promise<void> {
  authorize(actor, 'folder', 'delete');
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    const gone = isUuid(folderId)
      ? await tx('folders').where({ id: folderId }).del().returning('id')
      : [];
    if (gone.length === 0) throw new NotFoundError('folder');
    await appendActorAudit(tx, deps.clock.now(), actor, {
      action: 'folder.delete',
      objectType: 'folder',
      objectId: folderId,
    });
  });
}
