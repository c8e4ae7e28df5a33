import { totpContext } from '../accounts/second-factor.js';
import type { EncryptionContext } from '../crypto/key-wrapper.js';
import { keyContext as signingKeyContext } from '../evidence/signing-key.js';
import { keyContext as watermarkKeyContext } from '../media/watermark-key-store.js';
import { sessionKeyContext } from '../recording/session-keys.js';

/**
 * A column of wrapped keys: where a re-wrap finds them, and the encryption context each was
 * wrapped under. Every table that stores a key wrapped through `VaultDeps.keys` is listed in
 * {@link WRAPPED_KEYS}; a new one must be added there, or a rotation would leave it behind.
 */
export interface WrappedKeyColumn {
  /** Name used in progress records and reports. */
  name: string;
  table: string;
  /** The wrapped key (bytea; NULL once erased). */
  wrapped: string;
  /** The id of the key that wrapped it. */
  kekId: string;
  /** The owning organization's column, or null for keys of no organization (a user's TOTP). */
  tenant: string | null;
  /** SQL condition over the row alias `t` selecting the rows a KEK wraps, when not all do. */
  only?: string;
  // biome-ignore lint/suspicious/noExplicitAny: database row
  context(row: any): EncryptionContext;
}

/**
 * Every key the vault stores wrapped by a KEK: objects' data keys, recording session keys,
 * watermark, signing and TOTP keys.
 */
export const WRAPPED_KEYS: readonly WrappedKeyColumn[] = [
  {
    name: 'objects',
    table: 'objects',
    wrapped: 'wrapped_key',
    kekId: 'kek_id',
    tenant: 'tenant_id',
    // A recording session's tracks are wrapped by the session key, itself wrapped below.
    only: "t.kek_id NOT LIKE 'session:%'",
    context: (r) => ({ tenantId: r.tenant_id, objectId: r.id }),
  },
  {
    name: 'recording_sessions',
    table: 'recording_sessions',
    wrapped: 'wrapped_key',
    kekId: 'kek_id',
    tenant: 'tenant_id',
    context: (r) => sessionKeyContext(r.tenant_id, r.id),
  },
  {
    name: 'watermark_keys',
    table: 'watermark_keys',
    wrapped: 'secret_wrapped',
    kekId: 'kek_id',
    tenant: 'tenant_id',
    context: (r) => watermarkKeyContext(r.tenant_id, r.id),
  },
  {
    name: 'signing_keys',
    table: 'signing_keys',
    wrapped: 'seed_wrapped',
    kekId: 'kek_id',
    tenant: 'tenant_id',
    context: (r) => signingKeyContext(r.tenant_id, r.id),
  },
  {
    name: 'totp_secrets',
    table: 'users',
    wrapped: 'totp_secret_wrapped',
    kekId: 'totp_kek_id',
    tenant: null,
    context: (r) => totpContext(r.id),
  },
];
