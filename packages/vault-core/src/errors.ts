/**
 * Domain errors. Each carries a stable snake_case `code` that callers (the server's single error
 * mapper, the CLI) switch on; none carries an HTTP status or internal detail.
 */

/** Base class of every error vault-core throws on purpose. */
export class VaultError extends Error {
  /** Stable machine-readable identifier, e.g. `not_found`. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The resource does not exist in the caller's tenant (also used for other tenants' resources). */
export class NotFoundError extends VaultError {
  constructor(what = 'resource') {
    super('not_found', `${what} not found`);
  }
}

/** The caller is known but its role does not allow the action. */
export class ForbiddenError extends VaultError {
  constructor(message = 'not allowed') {
    super('forbidden', message);
  }
}

/** Input failed a domain rule (length, format, range). */
export class ValidationError extends VaultError {
  /** Name of the offending field, when there is one. */
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super('invalid_input', message);
    this.field = field;
  }
}

/** Email/password (or code) did not match; deliberately says nothing about which part failed. */
export class InvalidCredentialsError extends VaultError {
  constructor(message = 'invalid email or password') {
    super('invalid_credentials', message);
  }
}

/** A session token is unknown, revoked or expired (indistinguishably). */
export class SessionInvalidError extends VaultError {
  constructor() {
    super('session_invalid', 'session is not valid');
  }
}

/** The email address is already registered. */
export class EmailTakenError extends VaultError {
  constructor() {
    super('email_taken', 'an account with this email already exists');
  }
}

/** The stored ciphertext or its envelope failed authentication (tampered, truncated, wrong key). */
export class IntegrityError extends VaultError {
  constructor(message = 'data failed integrity check') {
    super('integrity_error', message);
  }
}

/**
 * The key that wraps a data key cannot be used: an organization's own KMS key is disabled,
 * scheduled for deletion, or no longer grants this deployment access. Its data stays unreadable
 * until the organization enables the key again; nothing is lost.
 */
export class KeyUnavailableError extends VaultError {
  constructor(message = "the organization's encryption key is disabled or not accessible") {
    super('key_unavailable', message);
  }
}

/** An object's data key was destroyed (crypto-erasure); its ciphertext can never be read again. */
export class ObjectErasedError extends VaultError {
  constructor() {
    super('object_erased', 'object has been erased');
  }
}

/** A storage key was malformed or escaped its namespace. */
export class InvalidStorageKeyError extends VaultError {
  constructor() {
    super('invalid_storage_key', 'invalid storage key');
  }
}

/** A tenant-scoped operation was attempted without a valid tenant context. */
export class TenantContextError extends VaultError {
  constructor() {
    super('tenant_context_missing', 'tenant context is missing or invalid');
  }
}

/**
 * A share link cannot be used: unknown, expired, not yet active or revoked, or its organization
 * is being deleted. Every one of these answers alike, so a link's state is not revealed.
 */
export class ShareUnavailableError extends VaultError {
  constructor() {
    super('share_unavailable', 'this link is not valid');
  }
}

/** The share is password-protected and the request carries no valid access grant. */
export class PasswordRequiredError extends VaultError {
  constructor() {
    super('password_required', 'this share needs its password');
  }
}

/** Too many attempts or requests; retry after the given number of seconds. */
export class RateLimitedError extends VaultError {
  /** Seconds until another attempt may succeed. */
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number, message = 'too many attempts, try again later') {
    super('rate_limited', message);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

/** A per-recipient play or download limit is used up. */
export class LimitReachedError extends VaultError {
  constructor(what: 'plays' | 'downloads') {
    super('limit_reached', `no ${what} left on this link`);
  }
}
