import { randomBytes } from 'node:crypto';
import { IntegrityError } from '../errors.js';
import type { DataKeys, KeyRing, OrganizationKeys, WrappedKey } from './data-keys.js';
import type { EncryptionContext } from './key-wrapper.js';
import { type KmsClient, KmsKeyWrapper } from './kms-key-wrapper.js';

/** How long an organization's key choice may be cached before it is read again (ms). */
const REFRESH_MS = 30_000;

/**
 * The deployment's key ring plus organizations' own KMS keys (bring your own key). A data key of
 * an organization with a key of its own is wrapped by that key, with the organization and object
 * as the KMS encryption context; every other data key by the deployment's ring. Unwrapping
 * follows the key id stored with the wrapped key, so an organization's keys never depend on the
 * deployment KEK, and a key it disables in its KMS makes its data (and only its data) unreadable
 * with `key_unavailable`.
 *
 * Which organization has which key is read from the database at start and again at most every
 * 30 s when keys are wrapped (another server may have changed it); the server that changes it
 * knows at once. A key wrapped in between by the previous key is moved by the next re-wrap.
 */
export class OrganizationKeyRing implements DataKeys {
  readonly #deployment: KeyRing;
  readonly #kms: KmsClient;
  readonly #load: () => Promise<Array<{ tenantId: string; keyId: string }>>;
  #keyOf = new Map<string, string>();
  #loadedAt = 0;
  #loading: Promise<void> | undefined;
  readonly #wrappers = new Map<string, KmsKeyWrapper>();

  constructor(
    deployment: KeyRing,
    kms: KmsClient,
    load: () => Promise<Array<{ tenantId: string; keyId: string }>>,
  ) {
    this.#deployment = deployment;
    this.#kms = kms;
    this.#load = load;
  }

  /** Reads every organization's key choice again. */
  refresh(): Promise<void> {
    this.#loading ??= this.#load()
      .then((rows) => {
        this.#keyOf = new Map(rows.map((r) => [r.tenantId, r.keyId]));
        this.#loadedAt = Date.now();
      })
      .finally(() => {
        this.#loading = undefined;
      });
    return this.#loading;
  }

  readonly organizations: OrganizationKeys = {
    verify: async (tenantId, keyId) => {
      const probe = randomBytes(32);
      const context = { tenantId, objectId: 'organization-key-check' };
      const wrapper = this.#wrapper(keyId);
      const back = await wrapper.unwrap(await wrapper.wrap(probe, context), context, keyId);
      if (!Buffer.from(back).equals(probe))
        throw new IntegrityError('the KMS key did not round-trip');
    },
    changed: (tenantId, keyId) => {
      if (keyId) this.#keyOf.set(tenantId, keyId);
      else this.#keyOf.delete(tenantId);
    },
  };

  deploymentKeyId(): string {
    return this.#deployment.deploymentKeyId();
  }

  async wrap(dataKey: Uint8Array, context: EncryptionContext): Promise<WrappedKey> {
    if (Date.now() - this.#loadedAt > REFRESH_MS) {
      // In the background: a wrap never waits for the database (it may run inside a transaction).
      this.refresh().catch(() => undefined);
    }
    const keyId = this.#keyOf.get(context.tenantId);
    if (!keyId) return this.#deployment.wrap(dataKey, context);
    return { wrapped: await this.#wrapper(keyId).wrap(dataKey, context), keyId };
  }

  async unwrap(
    wrapped: Uint8Array,
    context: EncryptionContext,
    keyId: string,
  ): Promise<Uint8Array> {
    if (!keyId.startsWith('kms:') || this.#deployment.find(keyId)) {
      return this.#deployment.unwrap(wrapped, context, keyId);
    }
    return this.#wrapper(keyId).unwrap(wrapped, context, keyId);
  }

  #wrapper(keyId: string): KmsKeyWrapper {
    if (!keyId.startsWith('kms:')) throw new IntegrityError(`not a KMS key id: ${keyId}`);
    let w = this.#wrappers.get(keyId);
    if (!w) {
      w = new KmsKeyWrapper(this.#kms, keyId.slice(4));
      this.#wrappers.set(keyId, w);
    }
    return w;
  }
}
