/**
 * Public API of `@vaultmark/vault-core`: the vault's domain layer (tenants, accounts, catalog,
 * encrypted storage, audit log, jobs) on PostgreSQL or embedded PGlite, independent of HTTP.
 */

export {
  changePassword,
  clientIpHash,
  createApiToken,
  type LoginEvent,
  listMemberships,
  loginHistory,
  type MembershipInfo,
  normalizeEmail,
  type Registered,
  register,
  resolveActor,
} from './accounts/accounts.js';
export {
  type AttemptBudget,
  REAUTH_FAILURES,
  SIGN_IN_FAILURES,
} from './accounts/attempts.js';
export {
  EMAIL_CODE_MAX_ATTEMPTS,
  EMAIL_CODE_TTL_MS,
  requestEmailCode,
  signInWithEmailCode,
} from './accounts/email-code.js';
export { ARGON2_OPTIONS, MAX_PASSWORD_BYTES, MIN_PASSWORD_LENGTH } from './accounts/passwords.js';
export { completeRegistration, requestRegistration } from './accounts/registration.js';
export { TwoFactorRequiredError } from './accounts/second-factor.js';
export {
  type Authenticated,
  authenticate,
  type IssuedSession,
  listSessions,
  revokeSession,
  type SessionInfo,
  type SessionKind,
  signOut,
} from './accounts/sessions.js';
export { type ClientInfo, type SignedIn, signIn } from './accounts/sign-in.js';
export {
  beginTotpEnrollment,
  confirmTotpEnrollment,
  disableTotp,
} from './accounts/totp-enrollment.js';
export {
  type AuditEvent,
  type AuditInput,
  type AuditVerification,
  appendAudit,
  type CheckpointSigner,
  tombstoneAudit,
  verifyAuditChain,
  writeAuditCheckpoint,
} from './audit/audit-log.js';
export {
  checkpointAllAuditChains,
  listAuditEvents,
  verifyAuditTrail,
} from './audit/audit-trail.js';
export { createFolder, deleteFolder, type Folder, listFolders } from './catalog/folders.js';
export {
  openStemDownload,
  openTrackDownload,
  type TrackDownload,
} from './catalog/track-copies.js';
export type { TrackPatch } from './catalog/track-input.js';
export {
  type AnalysisResult,
  type AnalysisStatus,
  addTrackVersion,
  deleteTrack,
  getTrack,
  listTracks,
  listTrackVersions,
  openTrackAudio,
  recordTrackAnalysis,
  type Track,
  type TrackFilter,
  type TrackVersion,
  updateTrack,
  uploadTrack,
} from './catalog/tracks.js';
export { type Clock, ManualClock, systemClock } from './clock.js';
export { canonicalJson } from './crypto/canonical-json.js';
export {
  createDecryptStream,
  createEncryptStream,
  DEFAULT_CHUNK_SIZE,
} from './crypto/envelope.js';
export { type EncryptionContext, type KeyWrapper, LocalKek } from './crypto/key-wrapper.js';
export { awsKmsClient, type KmsClient, KmsKeyWrapper } from './crypto/kms-key-wrapper.js';
export {
  type Database,
  type DatabaseConfig,
  type Engine,
  migrate,
  openDatabase,
} from './db/database.js';
export {
  type MigrateOptions,
  type MigrationRun,
  type MigrationState,
  migrationStatus,
} from './db/migrate.js';
export { APP_ROLE } from './db/roles.js';
export { type Tx, withIdentity, withSystem, withTenant } from './db/transactions.js';
export {
  DEFAULT_INVESTIGATION_POLICY,
  DEFAULT_SESSION_POLICY,
  type InvestigationPolicy,
  type SessionPolicy,
  type VaultDeps,
} from './deps.js';
export {
  type AnalysisDetails,
  type AnalysisOutput,
  analysisDetails,
  deleteTrackAndDerived,
  requestStems,
  type StemsState,
  type StoredStem,
  trackPeaks,
  trackStems,
} from './derived/derived-records.js';
export {
  EmailTakenError,
  ForbiddenError,
  IntegrityError,
  InvalidCredentialsError,
  InvalidStorageKeyError,
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
export { buildEvidence } from './evidence/build-evidence.js';
export {
  EVIDENCE_AUDIT_ACTION,
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
  evidenceContentSha256,
  verifyEvidence,
} from './evidence/evidence-format.js';
export { evidenceFromPdf, evidencePdf } from './evidence/evidence-pdf.js';
export { getSigningPublicKey, type SigningPublicKey } from './evidence/signing-key.js';
export { verifyEvidenceInVault } from './evidence/verify-in-vault.js';
export type {
  InvestigationMatch,
  InvestigationReason,
  InvestigationResult,
} from './investigations/investigation-result.js';
export {
  getInvestigation,
  type Investigation,
  type InvestigationStatus,
  listInvestigations,
  startInvestigation,
} from './investigations/investigations.js';
export { runInvestigation } from './investigations/run-investigation.js';
export {
  INVESTIGATION_THRESHOLD,
  SEGMENT_HOP_SECONDS,
  SEGMENT_SECONDS,
} from './investigations/search-audio.js';
export { coreJobHandlers } from './jobs/core-handlers.js';
export {
  claimJob,
  completeJob,
  type EnqueueInput,
  enqueueJob,
  failJob,
  getJob,
  JOB_LEASE_MS,
  type Job,
  type JobHandler,
  type QueueName,
  reportProgress,
  runNextJob,
} from './jobs/job-queue.js';
export { runWorker, type WorkerOptions } from './jobs/worker.js';
export {
  ACCOUNT_DELETION_GRACE_MS,
  cancelAccountDeletion,
  cancelOrganizationDeletion,
  ORGANIZATION_DELETION_GRACE_MS,
  requestAccountDeletion,
  requestOrganizationDeletion,
} from './lifecycle/deletion.js';
export { EXPORT_FORMAT, exportAccount } from './lifecycle/export.js';
export {
  decryptOrganizationExport,
  exportOrganization,
} from './lifecycle/organization-export.js';
export {
  FORENSIC_RETENTION_MS,
  LOGIN_LOG_RETENTION_MS,
  PURGE_INTERVAL_MS,
  type PurgeReport,
  purgeDue,
} from './lifecycle/purge.js';
export {
  type Mailer,
  type MailMessage,
  OutboxMailer,
  type SmtpConfig,
  SmtpMailer,
} from './mail/mailer.js';
export { type ExitMark, MarkedMedia } from './media/marked-media.js';
export { bufferMedia, type MediaSource } from './media/media-source.js';
export {
  DEFAULT_PREVIEW_KBPS,
  PREVIEW_BITRATES,
  type PreviewBitrate,
} from './media/preview-encoder.js';
export { pcm16WavHeader, type SampleSource, watermarkedWav } from './media/watermarked-wav.js';
export {
  discardSealed,
  eraseObjectKey,
  type ObjectKind,
  readObject,
  recordObject,
  type SealedObject,
  type StoredObject,
  sealObject,
} from './objects/object-store.js';
export { exportWatermarkKeys, importWatermarkKeys } from './shares/key-escrow.js';
export {
  openRecipientTrack,
  openShare,
  type RecipientClient,
  type RecipientTrack,
  type RecipientTrackInfo,
  type RecipientView,
  recipientTrackPeaks,
  recordPlay,
  SHARE_GRANT_TTL_MS,
  unlockShare,
} from './shares/recipient-access.js';
export {
  type CreateShareInput,
  MAX_SHARE_RECIPIENTS,
  MAX_SHARE_TRACKS,
  type RecipientInput,
} from './shares/share-input.js';
export { prepareRecipientPreviews } from './shares/share-previews.js';
export {
  getShareSettings,
  type ShareSettings,
  setShareSettings,
} from './shares/share-settings.js';
export {
  type AccessEvent,
  createShare,
  getShare,
  listShares,
  resendShareLink,
  revokeShare,
  type ShareDetail,
  type ShareLink,
  type ShareRecipient,
  type ShareStatus,
  type ShareSummary,
} from './shares/shares.js';
export { UNLOCK_THROTTLE } from './shares/unlock-throttle.js';
export {
  listWatermarkKeys,
  rotateWatermarkKey,
  type WatermarkKeyInfo,
} from './shares/watermark-keys.js';
export type { BlobStorage } from './storage/blob-storage.js';
export { LocalStorage } from './storage/local-storage.js';
export { type S3Module, S3Storage, type S3StorageConfig } from './storage/s3-storage.js';
export { storageKey } from './storage/storage-key.js';
export {
  type DownloadPolicy,
  getDownloadPolicy,
  setDownloadPolicy,
} from './tenancy/download-policy.js';
export {
  createGuestToken,
  GUEST_TOKEN_MAX_MS,
  type GuestAccess,
  type GuestScope,
  type GuestToken,
  listGuestTokens,
  openGuestTrackAudio,
  revokeGuestToken,
  useGuestToken,
} from './tenancy/guest-tokens.js';
export {
  answerInvitation,
  INVITATION_TTL_MS,
  type Invitation,
  inviteMember,
  listInvitations,
  listMyInvitations,
  type ReceivedInvitation,
  revokeInvitation,
} from './tenancy/invitations.js';
export {
  createOrganization,
  listMembers,
  type Member,
  removeMember,
  setMember,
} from './tenancy/organizations.js';
export {
  type Actor,
  authorize,
  POLICIES,
  type Resource,
  ROLES,
  type Role,
  type Rule,
} from './tenancy/policies.js';
export {
  getRetentionPolicy,
  type RetentionPolicy,
  setRetentionPolicy,
} from './tenancy/retention.js';
export { openVault, type Vault, type VaultConfig } from './vault.js';
