import { join } from 'node:path';
import * as profile from './accounts/account-profile.js';
import * as accounts from './accounts/accounts.js';
import * as attempts from './accounts/attempts.js';
import * as emailCodes from './accounts/email-code.js';
import * as registration from './accounts/registration.js';
import * as sessions from './accounts/sessions.js';
import * as signing from './accounts/sign-in.js';
import * as factors from './accounts/totp-enrollment.js';
import * as trail from './audit/audit-trail.js';
import * as folders from './catalog/folders.js';
import * as trackArtwork from './catalog/track-artwork.js';
import * as trackCopies from './catalog/track-copies.js';
import * as tracks from './catalog/tracks.js';
import { type Clock, systemClock } from './clock.js';
import { type DataKeys, KeyRing } from './crypto/data-keys.js';
import { KekFile } from './crypto/kek-file.js';
import { type KeyWrapper, LocalKek } from './crypto/key-wrapper.js';
import type { KmsClient } from './crypto/kms-key-wrapper.js';
import { OrganizationKeyRing } from './crypto/organization-key-ring.js';
import { type Database, openDatabase } from './db/database.js';
import { migrate } from './db/migrate.js';
import {
  DEFAULT_INVESTIGATION_POLICY,
  DEFAULT_SESSION_POLICY,
  type InvestigationPolicy,
  type SessionPolicy,
  type VaultDeps,
} from './deps.js';
import * as derived from './derived/derived-records.js';
import * as evidence from './evidence/build-evidence.js';
import * as signingKeys from './evidence/signing-key.js';
import * as evidenceCheck from './evidence/verify-in-vault.js';
import * as health from './health/readiness.js';
import * as investigationLimits from './investigations/investigation-limits.js';
import * as investigations from './investigations/investigations.js';
import * as investigationJob from './investigations/run-investigation.js';
import { coreJobHandlers } from './job-handlers.js';
import * as jobs from './jobs/job-queue.js';
import * as worker from './jobs/worker.js';
import * as keyRotation from './keys/key-rotation.js';
import * as organizationKey from './keys/organization-key.js';
import * as deletion from './lifecycle/deletion.js';
import * as exporting from './lifecycle/export.js';
import * as incompleteBlobs from './lifecycle/incomplete-blobs.js';
import * as orgExport from './lifecycle/organization-export.js';
import * as purge from './lifecycle/purge.js';
import { jsonLinesLogger, type Logger } from './logger.js';
import { type Mailer, OutboxMailer } from './mail/mailer.js';
import { MarkedMedia } from './media/marked-media.js';
import * as notificationFeed from './notifications/feed.js';
import * as notificationSettings from './notifications/settings.js';
import * as objects from './objects/object-store.js';
import * as participantTokens from './recording/participant-tokens.js';
import * as recordingParticipants from './recording/participants.js';
import { PocketsphinxTranscriber } from './recording/pocketsphinx-transcriber.js';
import * as recordingSessions from './recording/recording-sessions.js';
import * as sessionTracks from './recording/session-tracks.js';
import type { Transcriber } from './recording/transcriber.js';
import * as transcripts from './recording/transcripts.js';
import * as commentDelete from './review/delete-comment.js';
import * as commentEdit from './review/edit-comment.js';
import * as guestInvites from './review/guest-invitations.js';
import * as guestReview from './review/guest-review.js';
import * as guestSignIn from './review/guest-sign-in.js';
import * as approvals from './review/list-approvals.js';
import * as comments from './review/list-comments.js';
import * as commentPost from './review/post-comment.js';
import * as recipientReview from './review/recipient-review.js';
import * as approve from './review/record-approval.js';
import * as commentResolve from './review/resolve-comment.js';
import * as keyEscrow from './shares/key-escrow.js';
import * as recipients from './shares/recipient-access.js';
import * as shareAnalytics from './shares/share-analytics.js';
import * as shareLinks from './shares/share-links.js';
import * as shareMembers from './shares/share-members.js';
import * as sharePreviews from './shares/share-previews.js';
import * as shareSettings from './shares/share-settings.js';
import * as shareUpdate from './shares/share-update.js';
import * as shares from './shares/shares.js';
import * as watermarkKeys from './shares/watermark-keys.js';
import type { BlobStorage } from './storage/blob-storage.js';
import { LocalStorage } from './storage/local-storage.js';
import * as downloads from './tenancy/download-policy.js';
import * as guests from './tenancy/guest-tokens.js';
import * as invitations from './tenancy/invitations.js';
import * as branding from './tenancy/organization-branding.js';
import * as orgs from './tenancy/organizations.js';
import * as retention from './tenancy/retention.js';

/** Configuration of {@link openVault}. */
export interface VaultConfig {
  /**
   * Data directory of the embedded default: PGlite in `<dataDir>/db`, blobs in
   * `<dataDir>/blobs`, the KEK in `<dataDir>/kek.hex`. Each is used only when the matching
   * option below is not given.
   */
  dataDir?: string;
  /** PostgreSQL URL; when absent, embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  /** An already-open database (tests). Takes precedence over `databaseUrl`/`dataDir`. */
  database?: Database;
  /** Blob storage; default `LocalStorage(<dataDir>/blobs)`. */
  storage?: BlobStorage;
  /**
   * Data keys: a key ring ({@link KeyRing}, with organizations' own KMS keys), or one key wrapper
   * (KMS port); default the local KEK file as a key ring.
   */
  keys?: KeyWrapper | DataKeys;
  /**
   * KMS through which organizations may bring their own key (wrapping their data keys); without
   * it, organizations' keys are not offered.
   */
  organizationKms?: KmsClient;
  /** Secret for signing audit checkpoints (32+ bytes); derived from a local KEK when absent. */
  auditKey?: { keyId: string; secret: Uint8Array };
  clock?: Clock;
  /** Mail port; default an outbox directory `<dataDir>/outbox`. */
  mailer?: Mailer;
  /**
   * Speech-to-text engine for recording-session transcripts: `'pocketsphinx'` (local, no network)
   * or any {@link Transcriber}; none (no transcripts) by default.
   */
  transcriber?: Transcriber | 'pocketsphinx';
  sessions?: Partial<SessionPolicy>;
  /** Investigation limits (file size cap, per-organization hourly cap). */
  investigations?: Partial<InvestigationPolicy>;
  /** Apply migrations at start (default true). */
  migrate?: boolean;
  /**
   * Where failures of background work are reported (ids and error codes, never secrets); default
   * JSON lines on stderr. A host passes an adapter to its own logger.
   */
  logger?: Logger;
}

type Bound<F> = F extends (deps: never, ...args: infer A) => infer R ? (...args: A) => R : never;

function bindAll<T extends Record<string, unknown>>(
  deps: VaultDeps,
  fns: T,
): { [K in keyof T]: Bound<T[K]> } {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(fns)) {
    out[name] = (...args: unknown[]) =>
      (fn as (d: VaultDeps, ...a: unknown[]) => unknown)(deps, ...args);
  }
  return out as { [K in keyof T]: Bound<T[K]> };
}

function useCases(deps: VaultDeps) {
  return {
    accounts: bindAll(deps, {
      register: accounts.register,
      requestRegistration: registration.requestRegistration,
      completeRegistration: registration.completeRegistration,
      signIn: signing.signIn,
      changePassword: accounts.changePassword,
      createApiToken: accounts.createApiToken,
      loginHistory: accounts.loginHistory,
      listMemberships: accounts.listMemberships,
      /** The signed-in user's profile and whether two-factor sign-in is on. */
      profile: profile.getAccountProfile,
      resolveActor: accounts.resolveActor,
      clientIpHash: accounts.clientIpHash,
      authenticate: sessions.authenticate,
      listSessions: sessions.listSessions,
      revokeSession: sessions.revokeSession,
      signOut: sessions.signOut,
      beginTotpEnrollment: factors.beginTotpEnrollment,
      confirmTotpEnrollment: factors.confirmTotpEnrollment,
      disableTotp: factors.disableTotp,
      requestEmailCode: emailCodes.requestEmailCode,
      signInWithEmailCode: emailCodes.signInWithEmailCode,
      /** Counts a hit of a shared rate limit (every server on the database sees the same count). */
      hitRateLimit: attempts.hitRateLimit,
    }),
    organizations: bindAll(deps, {
      create: orgs.createOrganization,
      listMembers: orgs.listMembers,
      setMember: orgs.setMember,
      invite: invitations.inviteMember,
      listInvitations: invitations.listInvitations,
      revokeInvitation: invitations.revokeInvitation,
      listMyInvitations: invitations.listMyInvitations,
      answerInvitation: invitations.answerInvitation,
      removeMember: orgs.removeMember,
      getRetentionPolicy: retention.getRetentionPolicy,
      getDownloadPolicy: downloads.getDownloadPolicy,
      setDownloadPolicy: downloads.setDownloadPolicy,
      setRetentionPolicy: retention.setRetentionPolicy,
      /** Accent colour and logo shown on recipients' pages (admins set them). */
      getBranding: branding.getBranding,
      setBrandColor: branding.setBrandColor,
      setLogo: branding.setLogo,
      removeLogo: branding.removeLogo,
      logo: branding.getLogo,
    }),
    catalog: bindAll(deps, {
      uploadTrack: tracks.uploadTrack,
      addTrackVersion: tracks.addTrackVersion,
      getTrack: tracks.getTrack,
      listTracks: tracks.listTracks,
      listTrackVersions: tracks.listTrackVersions,
      analysisFailure: tracks.analysisFailure,
      updateTrack: tracks.updateTrack,
      setArtwork: trackArtwork.setTrackArtwork,
      removeArtwork: trackArtwork.removeTrackArtwork,
      artwork: trackArtwork.getTrackArtwork,
      deleteTrack: derived.deleteTrackAndDerived,
      analysisDetails: derived.analysisDetails,
      trackPeaks: derived.trackPeaks,
      trackStems: derived.trackStems,
      requestStems: derived.requestStems,
      openTrackAudio: tracks.openTrackAudio,
      openTrackDownload: trackCopies.openTrackDownload,
      openStemDownload: trackCopies.openStemDownload,
      recordTrackAnalysis: tracks.recordTrackAnalysis,
      createFolder: folders.createFolder,
      listFolders: folders.listFolders,
      deleteFolder: folders.deleteFolder,
    }),
    objects: bindAll(deps, { read: objects.readObject }),
    guests: bindAll(deps, {
      create: guests.createGuestToken,
      list: guests.listGuestTokens,
      revoke: guests.revokeGuestToken,
      use: guests.useGuestToken,
      openTrackAudio: guests.openGuestTrackAudio,
    }),
    /** Audio review: timecoded comments, approvals per version, guest reviewers. */
    review: bindAll(deps, {
      comment: commentPost.postComment,
      listComments: comments.listComments,
      editComment: commentEdit.editComment,
      deleteComment: commentDelete.deleteComment,
      /** Resolves (default) or reopens a thread (the track's creator, admins). */
      resolveComment: commentResolve.resolveComment,
      approve: approve.recordApproval,
      listApprovals: approvals.listApprovals,
      /** A recipient's review, under their share identity, when the share takes feedback. */
      recipientFeedback: recipientReview.recipientFeedback,
      recipientReview: recipientReview.recipientReview,
      recipientComment: recipientReview.recipientComment,
      recipientApprove: recipientReview.recipientApprove,
      recipientEditComment: recipientReview.recipientEditComment,
      recipientDeleteComment: recipientReview.recipientDeleteComment,
      inviteGuest: guestInvites.inviteGuest,
      listGuestInvitations: guestInvites.listGuestInvitations,
      listGuestUses: guestInvites.listGuestUses,
      revokeGuestInvitation: guestInvites.revokeGuestInvitation,
      /** A guest signs in by the invitation's link and an emailed code. */
      requestGuestCode: guestSignIn.requestGuestCode,
      signInGuest: guestSignIn.signInGuest,
      guestView: guestReview.guestView,
      guestReview: guestReview.guestReview,
      guestComment: guestReview.guestComment,
      guestApprove: guestReview.guestApprove,
      guestEditComment: guestReview.guestEditComment,
      guestDeleteComment: guestReview.guestDeleteComment,
      guestAudio: guestReview.guestAudio,
      guestPeaks: guestReview.guestPeaks,
    }),
    shares: bindAll(deps, {
      create: shares.createShare,
      list: shares.listShares,
      get: shares.getShare,
      revoke: shares.revokeShare,
      update: shareUpdate.updateShare,
      /** Per recipient and track: opens, what was really heard, downloads. */
      analytics: shareAnalytics.shareAnalytics,
      addRecipients: shareMembers.addShareRecipients,
      addTracks: shareMembers.addShareTracks,
      removeTrack: shareMembers.removeShareTrack,
      /** Mails a recipient the link they already have (replaced once for links made before 0018). */
      resendLink: shareLinks.resendShareLink,
      /** Replaces a recipient's link (the old one stops working) and mails the new one. */
      replaceLink: shareLinks.replaceShareLink,
      getSettings: shareSettings.getShareSettings,
      setSettings: shareSettings.setShareSettings,
      open: recipients.openShare,
      unlock: recipients.unlockShare,
      openTrack: recipients.openRecipientTrack,
      trackPeaks: recipients.recipientTrackPeaks,
      trackArtwork: trackArtwork.recipientTrackArtwork,
      /** The sharing organization's accent colour and logo, for the recipient's page. */
      branding: branding.recipientBranding,
      organizationLogo: branding.recipientLogo,
      preparePreviews: sharePreviews.prepareRecipientPreviews,
      recordPlay: recipients.recordPlay,
    }),
    investigations: bindAll(deps, {
      start: investigations.startInvestigation,
      get: investigations.getInvestigation,
      list: investigations.listInvestigations,
      /** The vault's investigation limits (largest found file, hourly cap). */
      limits: investigationLimits.investigationLimits,
      /** Job handler of the `investigation` queue, for `runWorker({ handlers })`. */
      runJob: investigationJob.runInvestigation,
      /** The signed evidence bundle of a finished investigation (audited). */
      evidence: evidence.buildEvidence,
      /** The organization's evidence signing public key, to publish (admins). */
      signingKey: signingKeys.getSigningPublicKey,
      /** Verifies a bundle against this vault's key and audit chain (admins). */
      verifyEvidence: evidenceCheck.verifyEvidenceInVault,
    }),
    watermarkKeys: bindAll(deps, {
      list: watermarkKeys.listWatermarkKeys,
      rotate: watermarkKeys.rotateWatermarkKey,
      exportKeys: keyEscrow.exportWatermarkKeys,
      importKeys: keyEscrow.importWatermarkKeys,
    }),
    lifecycle: bindAll(deps, {
      exportAccount: exporting.exportAccount,
      exportOrganization: orgExport.exportOrganization,
      requestAccountDeletion: deletion.requestAccountDeletion,
      cancelAccountDeletion: deletion.cancelAccountDeletion,
      requestOrganizationDeletion: deletion.requestOrganizationDeletion,
      cancelOrganizationDeletion: deletion.cancelOrganizationDeletion,
      purgeDue: purge.purgeDue,
      /** Removes pieces of blob writes a crash interrupted, older than the given date. */
      sweepIncompleteBlobs: incompleteBlobs.sweepIncompleteBlobs,
    }),
    /** Readiness probes: each resolves when its backend answers, and rejects otherwise. */
    health: bindAll(deps, {
      database: health.checkDatabase,
      storage: health.checkStorage,
    }),
    /** Each member's own notification feed and mute settings in their organization. */
    notifications: bindAll(deps, {
      list: notificationFeed.listNotifications,
      countUnread: notificationFeed.countUnreadNotifications,
      markRead: notificationFeed.markNotificationsRead,
      getSettings: notificationSettings.getNotificationSettings,
      setSettings: notificationSettings.setNotificationSettings,
    }),
    /** The deployment's data keys: re-wrap them all after a KEK rotation (operators). */
    keys: bindAll(deps, {
      rewrap: keyRotation.rewrapKeys,
      rotationStatus: keyRotation.keyRotationStatus,
      /** Id of the deployment KEK new keys are wrapped with. */
      deploymentKeyId: keyRotation.deploymentKeyId,
      /** The organization's own KMS key, if any (admins). */
      getOrganizationKey: organizationKey.getOrganizationKey,
      /** Brings the organization's own KMS key and re-wraps its data keys under it (owners). */
      setOrganizationKey: organizationKey.setOrganizationKey,
    }),
    /** Recording sessions: participants, resumable track uploads, per-session keys, transcripts. */
    recording: bindAll(deps, {
      create: recordingSessions.createRecordingSession,
      list: recordingSessions.listRecordingSessions,
      get: recordingSessions.getRecordingSession,
      /** Crypto-erasure of the whole recording (its key, tracks, transcripts, catalog tracks). */
      delete: recordingSessions.deleteRecordingSession,
      addParticipant: recordingParticipants.addParticipant,
      /** Revokes the participant's upload links; their tracks stay. */
      removeParticipant: participantTokens.removeParticipant,
      /** A participant's link (no account): their session and own tracks; each use audited. */
      openParticipantLink: participantTokens.useParticipantToken,
      participantStartUpload: participantTokens.startParticipantUpload,
      participantFailUpload: participantTokens.failParticipantUpload,
      participantAddTrack: participantTokens.addParticipantTrack,
      startUpload: sessionTracks.startSessionUpload,
      failUpload: sessionTracks.failSessionUpload,
      addTrack: sessionTracks.addSessionTrack,
      openTrack: sessionTracks.openSessionTrack,
      getTranscriptSettings: transcripts.getTranscriptSettings,
      setTranscriptSettings: transcripts.setTranscriptSettings,
    }),
    audit: bindAll(deps, {
      list: trail.listAuditEvents,
      verify: trail.verifyAuditTrail,
      checkpointAll: trail.checkpointAllAuditChains,
    }),
    jobs: bindAll(deps, {
      get: jobs.getJob,
      claim: jobs.claimJob,
      runNext: jobs.runNextJob,
      reportProgress: jobs.reportProgress,
      complete: jobs.completeJob,
      fail: jobs.failJob,
      runWorker: worker.runWorker,
      /** Handlers of the queues vault-core serves (`investigation`), to merge into a worker's. */
      coreHandlers: coreJobHandlers,
    }),
  };
}

/** The composed vault: use-cases grouped by area, and `close()`. Its ports stay inside. */
export type Vault = ReturnType<typeof useCases> & {
  /** Closes the database (and the embedded instance). */
  close(): Promise<void>;
};

/**
 * Where an open vault keeps its ports: a non-enumerable property under a registered symbol, off
 * the public type. Registered (not a module-local WeakMap) so that the `./testing` entry point
 * finds them even when a bundler gives it its own copy of this module (the CommonJS build).
 */
const PORTS = Symbol.for('@vaultmark/vault-core/ports');

/** The ports an open vault runs on; for vault-core's own testing entry point only. */
export function vaultDeps(vault: Vault): VaultDeps {
  const deps = (vault as unknown as Record<symbol, VaultDeps | undefined>)[PORTS];
  if (!deps) throw new Error('vaultDeps: not a vault opened by openVault');
  return deps;
}

/**
 * Composition root used by the server, the worker and the CLI: opens the database (PostgreSQL
 * by URL, else PGlite in the data directory), applies migrations, and wires storage, keys, the
 * audit signer and the clock into the use-cases.
 */
export async function openVault(config: VaultConfig): Promise<Vault> {
  const need = (what: string): string => {
    if (!config.dataDir) throw new Error(`openVault: dataDir is required for the default ${what}`);
    return config.dataDir;
  };
  let auditSigner = config.auditKey;
  let keys: DataKeys;
  if (config.keys && 'deploymentKeyId' in config.keys) keys = config.keys;
  else {
    const kek = config.keys ?? KekFile.open(join(need('KEK'), 'kek.hex'));
    // Derived secrets come from the first KEK of a key file, so they outlive rotations.
    const root = kek instanceof KekFile ? kek.root : kek;
    if (!auditSigner && root instanceof LocalKek) {
      auditSigner = { keyId: `${root.keyId}/audit`, secret: root.deriveSecret('audit-checkpoint') };
    }
    keys = new KeyRing(kek);
  }
  if (!auditSigner) throw new Error('openVault: auditKey is required with a KMS');
  const storage = config.storage ?? new LocalStorage(join(need('blob storage'), 'blobs'));
  const db =
    config.database ??
    (config.databaseUrl
      ? await openDatabase({ url: config.databaseUrl })
      : await openDatabase({ dataDir: join(need('database'), 'db') }));
  try {
    if (config.migrate !== false) await migrate(db);
    if (config.organizationKms) {
      if (!(keys instanceof KeyRing))
        throw new Error('openVault: organization keys need a key ring');
      const ring = new OrganizationKeyRing(keys, config.organizationKms, () =>
        organizationKey.loadOrganizationKeys({ db }),
      );
      await ring.refresh();
      keys = ring;
    }
  } catch (e) {
    await db.close();
    throw e;
  }
  const deps: VaultDeps = {
    db,
    storage,
    keys,
    auditSigner,
    clock: config.clock ?? systemClock,
    mailer: config.mailer ?? new OutboxMailer(join(need('mail outbox'), 'outbox')),
    ...(config.transcriber
      ? {
          transcriber:
            config.transcriber === 'pocketsphinx'
              ? new PocketsphinxTranscriber()
              : config.transcriber,
        }
      : {}),
    media: new MarkedMedia(),
    sessions: { ...DEFAULT_SESSION_POLICY, ...config.sessions },
    investigations: { ...DEFAULT_INVESTIGATION_POLICY, ...config.investigations },
    logger: config.logger ?? jsonLinesLogger(),
  };
  const vault: Vault = { ...useCases(deps), close: () => db.close() };
  Object.defineProperty(vault, PORTS, { value: deps });
  return vault;
}
