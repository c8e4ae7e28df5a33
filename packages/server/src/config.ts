import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';

/** The service's configuration, read from the environment (see docs/operations.md). */
export interface ServerConfig {
  port: number;
  host: string;
  /** Directory for everything the embedded defaults keep: database, blobs, keys, mail outbox. */
  dataDir: string;
  /** PostgreSQL URL; absent means the embedded PGlite database under `dataDir`. */
  databaseUrl?: string;
  /** Absolute base URL used in share links and emails. */
  publicBaseUrl: string;
  /** Trust `X-Forwarded-*` from a reverse proxy. */
  trustProxy: boolean;
  /** S3-compatible object storage; absent means local files under `dataDir`. */
  s3?: {
    bucket: string;
    region: string;
    endpoint?: string;
    forcePathStyle: boolean;
    accessKeyId?: string;
    secretAccessKey?: string;
  };
  /** Key-encryption key: a local key file (default under `dataDir`) or a KMS key id. */
  kek:
    | { kind: 'file'; path: string }
    | {
        kind: 'aws-kms';
        keyId: string;
        /** Keys rotated away from, which still unwrap until a re-wrap has moved every key. */
        previousKeyIds: string[];
        region?: string;
      };
  /**
   * Secret from which the server derives its keys other than data keys (audit checkpoint
   * signatures, CSRF tokens): the local KEK itself, or with a KMS this file (created on first
   * start). Every server and worker of one deployment needs the same one.
   */
  serverSecretFile: string;
  /**
   * The KMS through which organizations may bring their own key; present when a KMS is
   * configured (`KMS_KEY_ID`, `KMS_REGION` or `KMS_ENDPOINT`).
   */
  organizationKms?: { region: string; endpoint?: string };
  /** Directory of the request logs, one file per day, kept 30 days (`DATA/request-logs`). */
  requestLogDir: string;
  /** SMTP URL for outgoing mail; absent means an outbox directory under `dataDir`. */
  smtpUrl?: string;
  mailFrom: string;
  maxUploadBytes: number;
  metricsToken?: string;
  /** Speech-to-text engine for recording sessions' transcripts (organizations opt in); none when absent. */
  transcriber?: 'pocketsphinx';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** A configuration value that cannot be used. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'invalid_config';
}

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((value) => ['1', 'true', 'yes'].includes(value));
const port = z.coerce.number().int().min(0).max(65535);
const bytes = z
  .string()
  .regex(/^\d+(\.\d+)?\s*([KMGT]i?B?)?$/i, 'expected a size such as 500MiB or 2GiB')
  .transform(parseSize);

const Env = z.object({
  PORT: port.optional(),
  HOST: z.string().min(1).optional(),
  VAULTMARK_DATA: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
    .optional(),
  PUBLIC_BASE_URL: z.url().optional(),
  TRUST_PROXY: flag.optional(),
  S3_BUCKET: z.string().min(1).optional(),
  S3_REGION: z.string().min(1).optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_FORCE_PATH_STYLE: flag.optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  VAULTMARK_KEK_FILE: z.string().min(1).optional(),
  KMS_KEY_ID: z.string().min(1).optional(),
  KMS_REGION: z.string().min(1).optional(),
  KMS_PREVIOUS_KEY_IDS: z.string().min(1).optional(),
  KMS_ENDPOINT: z.url().optional(),
  REQUEST_LOG_DIR: z.string().min(1).optional(),
  VAULTMARK_SECRET_FILE: z.string().min(1).optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'expected an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).optional(),
  MAX_UPLOAD_BYTES: bytes.optional(),
  METRICS_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
  VAULTMARK_TRANSCRIBER: z.enum(['none', 'pocketsphinx']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
});

/**
 * Reads the configuration from environment variables, with command-line overrides for port and
 * data directory. Empty variables count as unset. Throws `ConfigError` naming the variable.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  overrides: { port?: number; dataDir?: string; cwd?: string } = {},
): ServerConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(([name, value]) => name in Env.shape && value !== ''),
  );
  const parsed = Env.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  const cwd = overrides.cwd ?? process.cwd();
  const fromCwd = (path: string) => (isAbsolute(path) ? path : resolve(cwd, path));
  const dataDir = resolve(cwd, overrides.dataDir ?? e.VAULTMARK_DATA ?? 'vaultmark-data');
  const listenPort = overrides.port ?? e.PORT ?? 8080;
  const host = e.HOST ?? '127.0.0.1';
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  if (e.S3_BUCKET === undefined && (e.S3_ENDPOINT || e.S3_ACCESS_KEY_ID)) {
    throw new ConfigError('S3_BUCKET: required when S3 storage is configured');
  }
  return {
    port: listenPort,
    host,
    dataDir,
    ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}),
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://${shownHost}:${listenPort}`).replace(/\/+$/, ''),
    trustProxy: e.TRUST_PROXY ?? false,
    ...(e.S3_BUCKET
      ? {
          s3: {
            bucket: e.S3_BUCKET,
            region: e.S3_REGION ?? 'us-east-1',
            ...(e.S3_ENDPOINT ? { endpoint: e.S3_ENDPOINT } : {}),
            forcePathStyle: e.S3_FORCE_PATH_STYLE ?? e.S3_ENDPOINT !== undefined,
            ...(e.S3_ACCESS_KEY_ID ? { accessKeyId: e.S3_ACCESS_KEY_ID } : {}),
            ...(e.S3_SECRET_ACCESS_KEY ? { secretAccessKey: e.S3_SECRET_ACCESS_KEY } : {}),
          },
        }
      : {}),
    kek: e.KMS_KEY_ID
      ? {
          kind: 'aws-kms',
          keyId: e.KMS_KEY_ID,
          previousKeyIds: (e.KMS_PREVIOUS_KEY_IDS ?? '')
            .split(',')
            .map((id) => id.trim())
            .filter((id) => id !== ''),
          ...(e.KMS_REGION ? { region: e.KMS_REGION } : {}),
        }
      : {
          kind: 'file',
          path: e.VAULTMARK_KEK_FILE
            ? fromCwd(e.VAULTMARK_KEK_FILE)
            : join(dataDir, 'keys', 'kek.key'),
        },
    ...(e.KMS_KEY_ID || e.KMS_REGION || e.KMS_ENDPOINT
      ? {
          organizationKms: {
            region: e.KMS_REGION ?? e.S3_REGION ?? 'us-east-1',
            ...(e.KMS_ENDPOINT ? { endpoint: e.KMS_ENDPOINT } : {}),
          },
        }
      : {}),
    requestLogDir: e.REQUEST_LOG_DIR ? fromCwd(e.REQUEST_LOG_DIR) : join(dataDir, 'request-logs'),
    serverSecretFile: e.VAULTMARK_SECRET_FILE
      ? fromCwd(e.VAULTMARK_SECRET_FILE)
      : join(dataDir, 'keys', 'server-secret.key'),
    ...(e.SMTP_URL ? { smtpUrl: e.SMTP_URL } : {}),
    mailFrom: e.MAIL_FROM ?? 'Vaultmark <no-reply@localhost>',
    maxUploadBytes: e.MAX_UPLOAD_BYTES ?? 2 * 1024 ** 3,
    ...(e.METRICS_TOKEN ? { metricsToken: e.METRICS_TOKEN } : {}),
    ...(e.VAULTMARK_TRANSCRIBER === 'pocketsphinx' ? { transcriber: 'pocketsphinx' as const } : {}),
    logLevel: e.LOG_LEVEL ?? 'info',
  };
}

/** `500MiB`, `2GiB`, `1.5GB`, `1048576` → bytes (binary multiples for both spellings). */
function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]?)/i.exec(text.trim())!;
  const power = ' KMGT'.indexOf((match[2] || ' ').toUpperCase());
  return Math.floor(Number(match[1]) * 1024 ** power);
}
