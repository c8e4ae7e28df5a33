/**
 * Public API of `@vaultmark/vault-core`: the vault's domain layer (tenants, accounts, catalog,
 * encrypted storage, audit log, jobs) on PostgreSQL or embedded PGlite, independent of HTTP.
 */
export { type Clock, ManualClock, systemClock } from './clock.js';
export { canonicalJson } from './crypto/canonical-json.js';
export {
  createDecryptStream,
  createEncryptStream,
  DEFAULT_CHUNK_SIZE,
} from './crypto/envelope.js';
export { type EncryptionContext, type KeyWrapper, LocalKek } from './crypto/key-wrapper.js';
export {
  type Database,
  type DatabaseConfig,
  type Engine,
  migrate,
  openDatabase,
} from './db/database.js';
export { APP_ROLE } from './db/roles.js';
export { type Tx, withIdentity, withSystem, withTenant } from './db/transactions.js';
export {
  EmailTakenError,
  ForbiddenError,
  IntegrityError,
  InvalidCredentialsError,
  InvalidStorageKeyError,
  NotFoundError,
  ObjectErasedError,
  SessionInvalidError,
  TenantContextError,
  ValidationError,
  VaultError,
} from './errors.js';
