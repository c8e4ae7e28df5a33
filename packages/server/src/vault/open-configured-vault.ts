import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  awsKmsClient,
  type BlobStorage,
  type Database,
  KekFile,
  KeyRing,
  KmsKeyWrapper,
  type LocalKek,
  type Mailer,
  OutboxMailer,
  openVault,
  S3Storage,
  SmtpMailer,
  type Vault,
} from '@vaultmark/vault-core';
import pino, { type Logger } from 'pino';
import type { ServerConfig } from '../config.js';
import { SpooledMailer } from '../mail/spooled-mailer.js';
import { lockDataDir } from './data-dir-lock.js';
import { vaultLogger } from './vault-logger.js';

/** A vault opened from the server configuration, with the server's own derived secrets. */
export interface ConfiguredVault {
  vault: Vault;
  /** Derives a 32-byte secret for a purpose (CSRF tokens, ...); equal on every server. */
  deriveSecret(purpose: string): Uint8Array;
  /**
   * Adds a new key-encryption key to the local key file, which wraps every new key from then on
   * (other servers sharing the file see it within a second), and returns its id. Undefined with
   * a KMS: create the new key in the KMS, set `KMS_KEY_ID` to it and the old one in
   * `KMS_PREVIOUS_KEY_IDS`.
   */
  addDeploymentKey?: () => string;
}

/**
 * Opens the vault the configuration describes: PostgreSQL (`DATABASE_URL`) or PGlite under the
 * data directory, S3 or local encrypted blobs, a KMS key or the local KEK file, SMTP or the
 * outbox directory. Everything the embedded defaults need is created on first start.
 */
export async function openConfiguredVault(
  config: ServerConfig,
  options: {
    /** An already-open database (tests); default from the configuration. */
    database?: Database;
    /** Blob storage to use instead of the configured one (tests, embedding applications). */
    storage?: BlobStorage;
    /** Where the vault reports failures of background work; default: pino at the log level. */
    logger?: Logger;
    /**
     * Take the embedded database's data-directory lock, as a server does (a command opening the
     * vault beside a server, which two PGlite instances on one directory would corrupt); it is
     * released when the vault closes. Throws `invalid_config` while a server holds it.
     */
    lockDataDir?: boolean;
  } = {},
): Promise<ConfiguredVault> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const unlock =
    options.lockDataDir && !config.databaseUrl && !options.database
      ? lockDataDir(config.dataDir)
      : undefined;
  try {
    return await open(config, options, unlock);
  } catch (error) {
    unlock?.();
    throw error;
  }
}

async function open(
  config: ServerConfig,
  options: { database?: Database; storage?: BlobStorage; logger?: Logger },
  unlock: (() => void) | undefined,
): Promise<ConfiguredVault> {
  let keys: KeyRing;
  let secrets: LocalKek;
  let addDeploymentKey: (() => string) | undefined;
  if (config.kek.kind === 'file') {
    const file = KekFile.open(config.kek.path);
    keys = new KeyRing(file);
    // The first key of the file: derived secrets stay the same across rotations.
    secrets = file.root;
    addDeploymentKey = () => file.addKey();
  } else {
    const region = config.kek.region ?? config.s3?.region ?? 'us-east-1';
    const client = awsKmsClient({ region, ...kmsEndpoint(config) });
    // Oldest first: the previous keys still unwrap while a re-wrap moves keys to the new one.
    const ids = [...config.kek.previousKeyIds, config.kek.keyId];
    keys = new KeyRing(ids.map((id) => new KmsKeyWrapper(client, id)));
    secrets = KekFile.open(config.serverSecretFile).root;
  }
  const vault = await openVault({
    dataDir: config.dataDir,
    ...(options.database
      ? { database: options.database }
      : config.databaseUrl
        ? { databaseUrl: config.databaseUrl }
        : {}),
    keys,
    ...(config.organizationKms ? { organizationKms: awsKmsClient(config.organizationKms) } : {}),
    auditKey: { keyId: `${secrets.keyId}/audit`, secret: secrets.deriveSecret('audit-checkpoint') },
    ...(options.storage
      ? { storage: options.storage }
      : config.s3
        ? { storage: new S3Storage(config.s3) }
        : {}),
    mailer: mailerFor(config),
    logger: vaultLogger(options.logger ?? pino({ level: config.logLevel })),
    ...(config.transcriber ? { transcriber: config.transcriber } : {}),
  });
  if (unlock) {
    const close = vault.close.bind(vault);
    vault.close = async () => {
      await close();
      unlock();
    };
  }
  return {
    vault,
    deriveSecret: (purpose) => secrets.deriveSecret(`server/${purpose}`),
    ...(addDeploymentKey ? { addDeploymentKey } : {}),
  };
}

function kmsEndpoint(config: ServerConfig): { endpoint?: string } {
  const endpoint = config.organizationKms?.endpoint;
  return endpoint ? { endpoint } : {};
}

function mailerFor(config: ServerConfig): Mailer {
  if (!config.smtpUrl) return new OutboxMailer(join(config.dataDir, 'outbox'), config.mailFrom);
  const url = new URL(config.smtpUrl);
  const secure = url.protocol === 'smtps:';
  const smtp = new SmtpMailer({
    host: url.hostname,
    port: Number(url.port || (secure ? 465 : 587)),
    secure,
    ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { pass: decodeURIComponent(url.password) } : {}),
    from: config.mailFrom,
  });
  // Mail the SMTP server refuses (down, unreachable) waits in the data directory and is sent
  // when it answers again, instead of being lost.
  const spooled = new SpooledMailer(
    smtp,
    join(config.dataDir, 'mail-spool'),
    pino({ level: config.logLevel }).child({ component: 'mail' }),
  );
  spooled.start();
  return spooled;
}
