/**
 * Public API of `@vaultmark/vault-core`: the vault's domain layer (tenants, accounts, catalog,
 * encrypted storage, shares, forensic mapping, audit log, jobs) on PostgreSQL or embedded PGlite,
 * independent of HTTP.
 *
 * The front door is {@link openVault}: it returns a {@link Vault} whose use-cases are grouped by
 * area (`vault.accounts`, `vault.catalog`, `vault.shares`, ...). Exported beside it: the input and
 * output types of those use-cases, the typed errors (each with a stable `code`), the ports with
 * their adapters (keys, storage, mail, clock, logger), configuration types and defaults, the
 * database open/migrate operations, and the offline tools for the documents a vault hands out
 * (evidence bundles, organization exports). Internals (transactions, the object store, the audit
 * writer, single use-case functions) are not exported; tests reach a few through
 * `@vaultmark/vault-core/testing`.
 */

export type {
  LoginEvent,
  MembershipInfo,
  Registered,
} from './accounts/accounts.js';
export { MAX_PASSWORD_BYTES, MIN_PASSWORD_LENGTH } from './accounts/passwords.js';
export { TwoFactorRequiredError } from './accounts/second-factor.js';
export type {
  Authenticated,
  IssuedSession,
  SessionInfo,
  SessionKind,
} from './accounts/sessions.js';
export type { ClientInfo, SignedIn } from './accounts/sign-in.js';
export type { AuditEvent, AuditVerification } from './audit/audit-log.js';
export type { Folder } from './catalog/folders.js';
export type { TrackDownload } from './catalog/track-copies.js';
export type { TrackPatch } from './catalog/track-input.js';
export type {
  AnalysisResult,
  AnalysisStatus,
  Track,
  TrackFilter,
  TrackSort,
  TrackVersion,
} from './catalog/tracks.js';
export { type Clock, ManualClock, systemClock } from './clock.js';
export { type DataKeys, type KekSource, KeyRing, type WrappedKey } from './crypto/data-keys.js';
export { KekFile } from './crypto/kek-file.js';
export { type EncryptionContext, type KeyWrapper, LocalKek } from './crypto/key-wrapper.js';
export { awsKmsClient, type KmsClient, KmsKeyWrapper } from './crypto/kms-key-wrapper.js';
export { type Database, type DatabaseConfig, type Engine, openDatabase } from './db/database.js';
export {
  type MigrateOptions,
  type MigrationRun,
  type MigrationState,
  migrate,
  migrationStatus,
} from './db/migrate.js';
export { DatabaseUnavailableError } from './db/transactions.js';
export {
  DEFAULT_INVESTIGATION_POLICY,
  DEFAULT_SESSION_POLICY,
  type InvestigationPolicy,
  type SessionPolicy,
} from './deps.js';
export type {
  AnalysisDetails,
  AnalysisOutput,
  StemsState,
  StoredStem,
} from './derived/derived-records.js';
export {
  EmailTakenError,
  ForbiddenError,
  IntegrityError,
  InvalidCredentialsError,
  InvalidStorageKeyError,
  KeyUnavailableError,
  LimitReachedError,
  NotFoundError,
  ObjectErasedError,
  PasswordRequiredError,
  RateLimitedError,
  SessionInvalidError,
  ShareUnavailableError,
  TenantContextError,
  ValidationError,
  VaultError,
} from './errors.js';
export {
  EVIDENCE_FORMAT,
  type EvidenceAccessEvent,
  type EvidenceAnchor,
  type EvidenceBundle,
  type EvidenceCheck,
  type EvidenceDetection,
  type EvidenceDocument,
  type EvidenceMatch,
  type EvidenceServedCopy,
  type EvidenceVerification,
  verifyEvidence,
} from './evidence/evidence-format.js';
export { evidenceFromPdf, evidencePdf } from './evidence/evidence-pdf.js';
export type { SigningPublicKey } from './evidence/signing-key.js';
export type {
  InvestigationMatch,
  InvestigationReason,
  InvestigationResult,
} from './investigations/investigation-result.js';
export type { Investigation, InvestigationStatus } from './investigations/investigations.js';
export { offsetText } from './investigations/offset-text.js';
export type { Job, JobHandler, QueueName } from './jobs/job-queue.js';
export type { WorkerOptions } from './jobs/worker.js';
export type { KeyRotationProgress, RewrapOptions } from './keys/key-rotation.js';
export type { OrganizationKeyInfo } from './keys/organization-key.js';
export { EXPORT_FORMAT } from './lifecycle/export.js';
export { decryptOrganizationExport } from './lifecycle/organization-export.js';
export { PURGE_INTERVAL_MS, type PurgeReport } from './lifecycle/purge.js';
export { jsonLinesLogger, type Logger, silentLogger } from './logger.js';
export {
  type Mailer,
  type MailMessage,
  OutboxMailer,
  type SmtpConfig,
  SmtpMailer,
} from './mail/mailer.js';
export { type AudioContainer, sniffContainer } from './media/audio-container.js';
export type { MediaSource } from './media/media-source.js';
export {
  DEFAULT_PREVIEW_KBPS,
  PREVIEW_BITRATES,
  type PreviewBitrate,
} from './media/preview-encoder.js';
export { type Actor, ROLES, type Role } from './policies.js';
export type {
  ParticipantRole,
  RecordingEvent,
  RecordingParticipant,
  RecordingSession,
  RecordingTrack,
} from './recording/recording-sessions.js';
export type { Transcriber } from './recording/transcriber.js';
export type { TranscriptSettings } from './recording/transcripts.js';
export type {
  PlayRequest,
  RecipientClient,
  RecipientTrack,
  RecipientTrackInfo,
  RecipientView,
} from './shares/recipient-access.js';
export {
  type CreateShareInput,
  MAX_SHARE_RECIPIENTS,
  MAX_SHARE_TRACKS,
  type RecipientInput,
} from './shares/share-input.js';
export type { ShareSettings } from './shares/share-settings.js';
export type { ShareChange } from './shares/share-update.js';
export type {
  AccessEvent,
  ShareDetail,
  ShareLink,
  ShareRecipient,
  ShareStatus,
  ShareSummary,
} from './shares/shares.js';
export type { WatermarkKeyInfo } from './shares/watermark-keys.js';
export type { BlobStorage } from './storage/blob-storage.js';
export { LocalStorage } from './storage/local-storage.js';
export { type S3Module, S3Storage, type S3StorageConfig } from './storage/s3-storage.js';
export type { DownloadPolicy } from './tenancy/download-policy.js';
export {
  GUEST_TOKEN_MAX_MS,
  type GuestAccess,
  type GuestScope,
  type GuestToken,
} from './tenancy/guest-tokens.js';
export type { Invitation, ReceivedInvitation } from './tenancy/invitations.js';
export type { Member } from './tenancy/organizations.js';
export type { RetentionPolicy } from './tenancy/retention.js';
export { openVault, type Vault, type VaultConfig } from './vault.js';
