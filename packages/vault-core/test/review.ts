import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveActor } from '../src/accounts/accounts.js';
import { withSystem } from '../src/db/transactions.js';
import type { Actor } from '../src/policies.js';
import { createOrganization } from '../src/tenancy/organizations.js';
import { ownerActor, type TestDeps } from './deps.js';

/** The owner of a new studio (an organization that is not personal). */
export async function studioOwner(deps: TestDeps, name: string): Promise<Actor> {
  const me = await ownerActor(deps, name);
  const studio = await createOrganization(deps, me.userId, { name: `${name} studio` });
  return resolveActor(deps, me.userId, studio);
}

/** A new user made a member of `owner`'s studio with `role` (added directly, as if they accepted). */
export async function memberOf(
  deps: TestDeps,
  owner: Actor,
  name: string,
  role: 'member' | 'admin',
): Promise<Actor> {
  const own = await ownerActor(deps, name);
  const now = deps.clock.now();
  await withSystem(deps.db, (tx) =>
    tx('memberships').insert({
      tenant_id: owner.tenantId,
      user_id: own.userId,
      role,
      created_at: now,
      updated_at: now,
    }),
  );
  return resolveActor(deps, own.userId, owner.tenantId);
}

/** The newest email in the test outbox. */
export function lastMail(deps: TestDeps): string {
  const files = readdirSync(deps.outbox)
    .filter((f) => f.endsWith('.eml'))
    .sort();
  return readFileSync(join(deps.outbox, files[files.length - 1] as string), 'utf8');
}

/** Every email in the test outbox, oldest first. */
export function allMail(deps: TestDeps): string[] {
  return readdirSync(deps.outbox)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => readFileSync(join(deps.outbox, f), 'utf8'));
}
