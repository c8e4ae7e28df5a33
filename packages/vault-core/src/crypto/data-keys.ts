import { IntegrityError } from '../errors.js';
import type { EncryptionContext, KeyWrapper } from './key-wrapper.js';

/** What the vault needs to manage organizations' own keys through {@link DataKeys}. */
export interface OrganizationKeys {
  /** Checks that the deployment can wrap and unwrap with a KMS key for this organization. */
  verify(tenantId: string, keyId: string): Promise<void>;
  /** Records (in this process, at once) that an organization's key changed. */
  changed(tenantId: string, keyId: string | undefined): void;
}

/** A data key wrapped under a key-encryption key, with the id of that key (stored beside it). */
export interface WrappedKey {
  wrapped: Uint8Array;
  /** Id of the key that wrapped it; unwrapping picks the key by this id. */
  keyId: string;
}

/**
 * The port use-cases wrap and unwrap data keys through. Unlike a single {@link KeyWrapper}, it
 * may hold several key-encryption keys at once (a key ring during a rotation, an organization's
 * own KMS key), so `wrap` says which one it used.
 */
export interface DataKeys {
  /** Wraps a 32-byte data key under the key its context's organization uses now. */
  wrap(dataKey: Uint8Array, context: EncryptionContext): Promise<WrappedKey>;
  /** Unwraps with the key named `keyId`; throws `integrity_error` when that fails. */
  unwrap(wrapped: Uint8Array, context: EncryptionContext, keyId: string): Promise<Uint8Array>;
  /** Id of the deployment key new keys are wrapped with (organizations without a key of their own). */
  deploymentKeyId(): string;
  /** Organizations' own KMS keys, when the deployment offers them. */
  readonly organizations?: OrganizationKeys;
}

/** Where a deployment's key-encryption keys come from (a key file, a list of KMS keys). */
export interface KekSource {
  /**
   * The keys, oldest first: the last one wraps, every one unwraps. With `refresh`, a source
   * backed by a store that another process may change (a key file) reads it again.
   */
  keks(refresh?: boolean): readonly KeyWrapper[];
}

/**
 * The deployment's key ring: the newest KEK wraps, every KEK still in the ring unwraps, chosen
 * by the key id recorded beside each wrapped key. A rotation adds a KEK and re-wraps every data
 * key while reads go on: a key not yet re-wrapped opens with the old KEK, a re-wrapped one with
 * the new. A key id the ring does not know makes it re-read its source once (another process may
 * have just added a KEK) before giving up.
 */
export class KeyRing implements DataKeys {
  readonly #source: KekSource;
  constructor(source: KekSource | KeyWrapper | readonly KeyWrapper[]) {
    if ('keks' in source) this.#source = source;
    else {
      const keks = Array.isArray(source) ? [...source] : [source as KeyWrapper];
      if (keks.length === 0) throw new RangeError('a key ring needs at least one key');
      this.#source = { keks: () => keks };
    }
  }

  /** The KEK new keys are wrapped with. */
  active(): KeyWrapper {
    const keks = this.#source.keks();
    return keks[keks.length - 1]!;
  }

  deploymentKeyId(): string {
    return this.active().keyId;
  }

  /** The ring's KEK with this id, if it holds one (reading its source again once if not). */
  find(keyId: string): KeyWrapper | undefined {
    return (
      this.#source.keks().find((k) => k.keyId === keyId) ??
      this.#source.keks(true).find((k) => k.keyId === keyId)
    );
  }

  async wrap(dataKey: Uint8Array, context: EncryptionContext): Promise<WrappedKey> {
    const kek = this.active();
    return { wrapped: await kek.wrap(dataKey, context), keyId: kek.keyId };
  }

  async unwrap(
    wrapped: Uint8Array,
    context: EncryptionContext,
    keyId: string,
  ): Promise<Uint8Array> {
    const kek = this.find(keyId);
    if (!kek) throw new IntegrityError('cannot unwrap data key: its key is not in the key ring');
    return kek.unwrap(wrapped, context, keyId);
  }
}
