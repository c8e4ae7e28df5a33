import type { CheckpointSigner } from './audit/audit-log.js';
import type { Clock } from './clock.js';
import type { DataKeys } from './crypto/data-keys.js';
import type { Database } from './db/database.js';
import type { Logger } from './logger.js';
import type { Mailer } from './mail/mailer.js';
import type { MarkedMedia } from './media/marked-media.js';
import type { Transcriber } from './recording/transcriber.js';
import type { BlobStorage } from './storage/blob-storage.js';

/** Session lifetimes in milliseconds. */
export interface SessionPolicy {
  /** A browser session ends after this long without use. */
  idleMs: number;
  /** A browser session ends this long after sign-in, used or not. */
  absoluteMs: number;
  /** Bearer tokens for scripts end this long after creation. */
  apiTokenMs: number;
}

/** Defaults: 24 h idle, 14 days absolute, 90-day API tokens. */
export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  idleMs: 24 * 3600_000,
  absoluteMs: 14 * 86_400_000,
  apiTokenMs: 90 * 86_400_000,
};

/** Limits of leak investigations. */
export interface InvestigationPolicy {
  /** Largest file accepted, in bytes (default 512 MiB). */
  maxBytes: number;
  /** Investigations one organization may start per hour (default 20). */
  perHour: number;
}

/** Defaults: files up to 512 MiB, 20 investigations per organization and hour. */
export const DEFAULT_INVESTIGATION_POLICY: InvestigationPolicy = {
  maxBytes: 512 * 1024 * 1024,
  perHour: 20,
};

/** Every port a use-case may need; each use-case declares the subset it uses with `Pick`. */
export interface VaultDeps {
  db: Database;
  clock: Clock;
  storage: BlobStorage;
  /** Wraps and unwraps data keys (the deployment's key ring, organizations' own KMS keys). */
  keys: DataKeys;
  auditSigner: CheckpointSigner;
  sessions: SessionPolicy;
  mailer: Mailer;
  /** Speech-to-text engine for recording sessions' transcripts (organizations opt in); none by default. */
  transcriber?: Transcriber;
  /** Investigation limits; {@link DEFAULT_INVESTIGATION_POLICY} when absent. */
  investigations?: InvestigationPolicy;
  /** Renders marked copies (decoded masters and previews cached); one per ports object when absent. */
  media?: MarkedMedia;
  /** Where failures of background work are reported; JSON lines on stderr when absent. */
  logger?: Logger;
}
