import type { Knex } from 'knex';
import { TenantContextError } from '../errors.js';
import type { Database } from './database.js';
import { APP_ROLE, SYSTEM_SETTING, TENANT_SETTING } from './roles.js';

/** A transaction handle given to use-case code. */
export type Tx = Knex.Transaction;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether a string is a canonical lower-case UUID. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * Runs `fn` in a transaction scoped to one tenant: the tenant id is set with
 * `set_config(..., true)` (transaction-local) and the role is switched to the non-owner
 * application role with `SET LOCAL ROLE`, so row-level security applies even on PGlite, whose
 * connection is a superuser. This is the only way use-cases touch tenant-owned rows.
 */
export async function withTenant<T>(
  db: Database,
  tenantId: string,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  if (!isUuid(tenantId)) throw new TenantContextError();
  return db.knex.transaction(async (tx) => {
    await tx.raw('SELECT set_config(?, ?, true)', [TENANT_SETTING, tenantId]);
    await tx.raw(`SET LOCAL ROLE ${APP_ROLE}`);
    return fn(tx);
  });
}

/**
 * Runs `fn` as the application role with no tenant: only the global identity tables (users,
 * sessions, login events, IP salts) are readable; every tenant table returns nothing.
 */
export async function withIdentity<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.knex.transaction(async (tx) => {
    await tx.raw(`SET LOCAL ROLE ${APP_ROLE}`);
    return fn(tx);
  });
}

/**
 * Runs `fn` as the owner role with the system flag set: for operator work that spans tenants
 * (claiming jobs, purge, audit tombstoning, resolving a user's memberships at sign-in). Never
 * reachable from request input.
 */
export async function withSystem<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.knex.transaction(async (tx) => {
    await tx.raw('SELECT set_config(?, ?, true)', [SYSTEM_SETTING, 'on']);
    return fn(tx);
  });
}
