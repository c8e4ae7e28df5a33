import { InvalidStorageKeyError } from '../errors.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const KEY = new RegExp(`^t/(${UUID})/([a-z]{1,16})/(${UUID})$`);
const PREFIX = new RegExp(`^t/(${UUID})/(?:[a-z]{1,16}/)?$`);

/**
 * The only way storage keys are made: `t/<tenantId>/<kind>/<objectId>`, all parts server
 * generated. User input (file names, paths) never reaches a key.
 */
export function storageKey(tenantId: string, kind: string, objectId: string): string {
  const key = `t/${tenantId}/${kind}/${objectId}`;
  assertStorageKey(key);
  return key;
}

/** Throws {@link InvalidStorageKeyError} unless `key` has the exact server-generated shape. */
export function assertStorageKey(key: string): void {
  if (typeof key !== 'string' || !KEY.test(key)) throw new InvalidStorageKeyError();
}

/** Throws unless `prefix` is a tenant prefix `t/<tenantId>/` (optionally with a kind). */
export function assertStoragePrefix(prefix: string): void {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) throw new InvalidStorageKeyError();
}

/** Tenant id a key belongs to. */
export function tenantOfKey(key: string): string {
  assertStorageKey(key);
  return key.split('/')[1] as string;
}
