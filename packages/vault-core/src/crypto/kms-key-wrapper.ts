import { IntegrityError, KeyUnavailableError } from '../errors.js';
import type { EncryptionContext, KeyWrapper } from './key-wrapper.js';

/** The two KMS calls envelope encryption needs (shape of AWS KMS `Encrypt`/`Decrypt`). */
export interface KmsClient {
  encrypt(input: {
    KeyId: string;
    Plaintext: Uint8Array;
    EncryptionContext: Record<string, string>;
  }): Promise<{ CiphertextBlob?: Uint8Array }>;
  decrypt(input: {
    KeyId: string;
    CiphertextBlob: Uint8Array;
    EncryptionContext: Record<string, string>;
  }): Promise<{ Plaintext?: Uint8Array }>;
}

/**
 * Wraps data keys with a KMS key (customer-managed keys: bring your own KMS). The tenant and
 * object ids (and the recording session id, when present) travel as the KMS encryption context, which KMS binds to the ciphertext and logs
 * in its own audit trail; decrypting under another context fails inside KMS.
 */
export class KmsKeyWrapper implements KeyWrapper {
  readonly keyId: string;
  constructor(
    private readonly client: KmsClient,
    /** KMS key id or ARN. */
    kmsKeyId: string,
  ) {
    this.keyId = `kms:${kmsKeyId}`;
  }

  private get kmsKeyId(): string {
    return this.keyId.slice(4);
  }

  private static context(c: EncryptionContext): Record<string, string> {
    const base = { purpose: 'vaultmark/dek/v1', tenant: c.tenantId, object: c.objectId };
    return c.sessionId === undefined ? base : { ...base, session: c.sessionId };
  }

  async wrap(dataKey: Uint8Array, context: EncryptionContext): Promise<Uint8Array> {
    let r: { CiphertextBlob?: Uint8Array };
    try {
      r = await this.client.encrypt({
        KeyId: this.kmsKeyId,
        Plaintext: dataKey,
        EncryptionContext: KmsKeyWrapper.context(context),
      });
    } catch (error) {
      throw unavailable(error) ?? error;
    }
    if (!r.CiphertextBlob) throw new IntegrityError('KMS returned no ciphertext');
    return r.CiphertextBlob;
  }

  async unwrap(
    wrapped: Uint8Array,
    context: EncryptionContext,
    keyId: string,
  ): Promise<Uint8Array> {
    if (keyId !== this.keyId) throw new IntegrityError('cannot unwrap data key');
    try {
      const r = await this.client.decrypt({
        KeyId: this.kmsKeyId,
        CiphertextBlob: wrapped,
        EncryptionContext: KmsKeyWrapper.context(context),
      });
      const plain = r.Plaintext;
      if (plain?.length !== 32) throw new Error('bad plaintext');
      return plain;
    } catch (error) {
      throw unavailable(error) ?? new IntegrityError('cannot unwrap data key');
    }
  }
}

/**
 * KMS errors that say the key cannot be used now (AWS KMS error names): disabled, pending
 * deletion or import, gone, or access withdrawn. Unlike a failed decryption (wrong context,
 * tampered bytes), these are the key owner's decision and end when the key is usable again.
 */
const KEY_UNAVAILABLE = new Set([
  'DisabledException',
  'KMSInvalidStateException',
  'NotFoundException',
  'AccessDeniedException',
  'KeyUnavailableException',
]);

function unavailable(error: unknown): KeyUnavailableError | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  if (typeof name !== 'string' || !KEY_UNAVAILABLE.has(name)) return undefined;
  const e = new KeyUnavailableError();
  e.cause = error;
  return e;
}

/** An AWS KMS client for {@link KmsKeyWrapper}; `@aws-sdk/client-kms` is loaded on first use. */
export function awsKmsClient(config: {
  region: string;
  endpoint?: string;
  /** Static credentials (a test KMS); default the SDK's credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}): KmsClient {
  let sdk:
    | Promise<{
        mod: typeof import('@aws-sdk/client-kms');
        client: import('@aws-sdk/client-kms').KMSClient;
      }>
    | undefined;
  const load = () => {
    sdk ??= import('@aws-sdk/client-kms').then((mod) => ({
      mod,
      client: new mod.KMSClient({
        region: config.region,
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
        ...(config.credentials ? { credentials: config.credentials } : {}),
      }),
    }));
    return sdk;
  };
  return {
    async encrypt(input) {
      const { mod, client } = await load();
      return client.send(new mod.EncryptCommand(input));
    },
    async decrypt(input) {
      const { mod, client } = await load();
      return client.send(new mod.DecryptCommand(input));
    },
  };
}
