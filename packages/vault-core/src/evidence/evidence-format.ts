import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { eventHash, subjectDigest } from '../audit/audit-log.js';
import { canonicalJson } from '../crypto/canonical-json.js';
import { publicKeyFingerprint, rawPublicKey } from './signing-key.js';

/** Format tag of an evidence bundle (docs/evidence.md specifies version 1). */
export const EVIDENCE_FORMAT = 'vaultmark-evidence/v1';

/** Audit action of the event that anchors a bundle in the organization's audit chain. */
export const EVIDENCE_AUDIT_ACTION = 'investigation.evidence';

/** Prefix of the signed bytes (domain separation: the key signs nothing else of this shape). */
const SIGNING_PREFIX = 'vaultmark/evidence/v1\n';

/** What one detected mark says, as the detector reported it. */
export interface EvidenceDetection {
  /** The payload decoded, 32 hex digits (128 bits). */
  payload: string;
  payloadBits: number;
  /** Id of the organization's watermark key that made the mark. */
  keyId: string;
  /** Watermark format version searched for (docs/watermark.md, "format v1"). */
  formatVersion: number;
  /** Where in the found audio a watermark block starts (s). */
  offsetSeconds: number;
  /** Playback speed of the found copy (1 = unchanged). */
  speed: number;
  /** Frequency scale of the found copy (1 = unchanged), when the detector reported it. */
  frequencyScale: number | null;
  /** How the copy was found altered (`none`, `speed`, `tempo`, `pitch`), when reported. */
  scaling: string | null;
  /** Sync statistic z and whole-block statistic t of the match (docs/watermark.md §6). */
  zSync: number | null;
  tTotal: number | null;
  /** Hard-decision bit errors against the re-encoded payload, over the bits observed. */
  bitErrors: number | null;
  observedBits: number | null;
  /**
   * How the payload was found: `decoded` from the mark alone, or `candidate` when the copy was
   * too damaged to decode and its mark matched one of the payloads issued under the key;
   * `null` in bundles of results stored before the method was kept.
   */
  method?: 'decoded' | 'candidate' | null;
  /** For `candidate`: how many issued payloads the copy was matched against. */
  candidates?: number | null;
}

/**
 * One access of the subject to the shared material, oldest first: a share recipient's link
 * events (`opened`, `played`, `downloaded`, `password_failed`), or the audited exits of a guest
 * or a member (`object.read`, with the stored object read).
 */
export interface EvidenceAccessEvent {
  kind: string;
  trackId: string | null;
  /** The stored object read (guest and member exits); `null` for link events. */
  objectId: string | null;
  positionSeconds: number | null;
  at: string;
}

/** One copy rendered for the subject: the SHA-256 of the bytes the vault served. */
export interface EvidenceServedCopy {
  /** The stored version (object) of the track it was rendered from. */
  sourceObjectId: string;
  format: string;
  kbps: number;
  sha256: string;
  sizeBytes: number;
  createdAt: string;
}

/** One person named by the investigation, with everything that ties them to the found copy. */
export interface EvidenceMatch {
  detection: EvidenceDetection;
  falsePositive: {
    /** Upper bound on the probability that unmarked audio yields this match (whole search). */
    probability: number;
    /** log10 of the bound (exact where the probability underflows to 0). */
    log10Probability: number;
    /** Where the bound is derived. */
    derivation: { document: string; section: string; formatVersion: number };
  };
  subject: {
    kind: 'recipient' | 'guest' | 'member';
    /** Share recipient id, guest token id or member user id. */
    id: string | null;
    name: string;
    email: string;
    company: string | null;
    shareId: string | null;
    trackId: string;
    trackTitle: string | null;
    /** When the mark was assigned (the forensic mapping's record). */
    markedAt: string | null;
    sharedAt: string;
  };
  /** Copies rendered for this key and payload, with the hash of the bytes served. */
  served: EvidenceServedCopy[];
  accessEvents: EvidenceAccessEvent[];
}

/** The signed content of a bundle (everything but the signature). */
export interface EvidenceDocument {
  format: typeof EVIDENCE_FORMAT;
  organizationId: string;
  investigation: {
    id: string;
    fileName: string;
    createdAt: string;
    completedAt: string | null;
    /** User who started it (`null` when that account is gone). */
    createdBy: string | null;
  };
  foundFile: { sha256: string; sizeBytes: number; durationSeconds: number };
  search: {
    identified: boolean;
    inconclusive: boolean;
    reason: string | null;
    thresholdProbability: number;
    keysSearched: number;
    formatVersion: number;
  };
  matches: EvidenceMatch[];
  software: { name: string; version: string };
  /** When the bundle was made (UTC, ISO 8601). */
  generatedAt: string;
  /** Position of this bundle's audit event in the organization's hash chain. */
  audit: EvidenceAnchor;
}

/** The audit event that records a bundle, with the fields its chain hash commits to. */
export interface EvidenceAnchor {
  event: {
    chainId: string;
    seq: number;
    at: string;
    action: string;
    objectType: string | null;
    ipHash: string | null;
    tenantId: string;
    actorId: string | null;
    objectId: string | null;
    /** `{ contentSha256 }`: the SHA-256 of the bundle content without `audit`. */
    detail: Record<string, unknown>;
    subjectDigest: string;
    prevHash: string;
    hash: string;
  };
  /** The chain's signed checkpoint at or after the event (HMAC; checkable inside the vault). */
  checkpoint: {
    chainId: string;
    seq: number;
    hash: string;
    keyId: string;
    signature: string;
    at: string;
  } | null;
}

/** A signed bundle: the document and a detached Ed25519 signature over its canonical JSON. */
export interface EvidenceBundle {
  evidence: EvidenceDocument;
  signature: {
    algorithm: 'Ed25519';
    keyId: string;
    publicKeyPem: string;
    /** SHA-256 of the raw public key, hex. */
    fingerprint: string;
    /** base64 of the 64-byte signature. */
    value: string;
  };
}

/** SHA-256 (hex) of the content an anchor commits to: the document without `audit`. */
export function evidenceContentSha256(doc: Omit<EvidenceDocument, 'audit'>): string {
  const { audit: _anchor, ...content } = doc as EvidenceDocument;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** The bytes an evidence signature covers. */
export function evidenceSigningBytes(doc: EvidenceDocument): Buffer {
  return Buffer.from(SIGNING_PREFIX + canonicalJson(doc), 'utf8');
}

/** Signs a document with an organization's key. */
export function signEvidence(
  doc: EvidenceDocument,
  key: { keyId: string; privateKey: KeyObject },
): EvidenceBundle {
  const pub = createPublicKey(key.privateKey);
  return {
    evidence: doc,
    signature: {
      algorithm: 'Ed25519',
      keyId: key.keyId,
      publicKeyPem: String(pub.export({ format: 'pem', type: 'spki' })),
      fingerprint: publicKeyFingerprint(rawPublicKey(pub)),
      value: sign(null, evidenceSigningBytes(doc), key.privateKey).toString('base64'),
    },
  };
}

/** One check of {@link verifyEvidence}. */
export interface EvidenceCheck {
  name: 'format' | 'public_key' | 'signature' | 'audit_anchor' | 'audio_sha256' | 'audit_chain';
  ok: boolean;
  /** Why it failed, or what it established. */
  detail: string;
}

/** Outcome of {@link verifyEvidence}: verified only when every check passed. */
export interface EvidenceVerification {
  verified: boolean;
  checks: EvidenceCheck[];
}

function parseKey(pem: string): KeyObject | null {
  try {
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

/** Checks the anchor's internal consistency: what can be recomputed without the vault. */
function checkAnchor(doc: EvidenceDocument): EvidenceCheck {
  const fail = (detail: string): EvidenceCheck => ({ name: 'audit_anchor', ok: false, detail });
  const a = doc.audit?.event;
  if (!a) return fail('the bundle carries no audit anchor');
  if (a.action !== EVIDENCE_AUDIT_ACTION || a.objectId !== doc.investigation?.id) {
    return fail('the anchor event does not record this investigation');
  }
  if (a.tenantId !== doc.organizationId) return fail('the anchor is in another organization');
  if (a.detail?.contentSha256 !== evidenceContentSha256(doc)) {
    return fail('the anchor event commits to other content');
  }
  const at = new Date(a.at);
  if (Number.isNaN(at.getTime())) return fail('the anchor time is not a date');
  const digest = subjectDigest({
    tenantId: a.tenantId,
    actorId: a.actorId,
    objectId: a.objectId,
    detail: a.detail,
  });
  if (digest !== a.subjectDigest) return fail('the anchor subject digest does not match');
  const hash = eventHash({
    chainId: a.chainId,
    seq: a.seq,
    at,
    action: a.action,
    objectType: a.objectType,
    ipHash: a.ipHash,
    subjectDigest: a.subjectDigest,
    prevHash: a.prevHash,
  });
  if (hash !== a.hash) return fail('the anchor event hash does not match its fields');
  const cp = doc.audit.checkpoint;
  if (!cp) return fail('the bundle carries no audit checkpoint');
  if (cp.chainId !== a.chainId || cp.seq < a.seq || (cp.seq === a.seq && cp.hash !== a.hash)) {
    return fail('the checkpoint does not cover the anchor event');
  }
  return {
    name: 'audit_anchor',
    ok: true,
    detail: `event ${a.seq} of chain ${a.chainId}, hash ${a.hash}, checkpoint at ${cp.seq}`,
  };
}

/**
 * Verifies a bundle offline: its format, its signature (by the embedded public key, which must be
 * the `publicKeyPem` given when one is), the internal consistency of its audit anchor (content
 * digest, subject digest, event hash, checkpoint covering the event) and, given the SHA-256 of a
 * file, that the file is the one investigated. Never throws on a malformed bundle: it fails.
 */
export function verifyEvidence(
  bundle: unknown,
  options: { publicKeyPem?: string; audioSha256?: string } = {},
): EvidenceVerification {
  const checks: EvidenceCheck[] = [];
  const done = () => ({ verified: checks.every((c) => c.ok), checks });
  const b = bundle as Partial<EvidenceBundle> | null;
  const doc = b?.evidence;
  const sig = b?.signature;
  if (!doc || typeof doc !== 'object' || doc.format !== EVIDENCE_FORMAT || !sig) {
    checks.push({ name: 'format', ok: false, detail: `not a ${EVIDENCE_FORMAT} bundle` });
    return done();
  }
  checks.push({ name: 'format', ok: true, detail: EVIDENCE_FORMAT });
  const embedded = sig.algorithm === 'Ed25519' ? parseKey(String(sig.publicKeyPem)) : null;
  if (!embedded) {
    checks.push({ name: 'public_key', ok: false, detail: 'no Ed25519 public key in the bundle' });
    return done();
  }
  const fingerprint = publicKeyFingerprint(rawPublicKey(embedded));
  if (sig.fingerprint !== fingerprint) {
    checks.push({ name: 'public_key', ok: false, detail: 'the fingerprint is not the key’s' });
  } else if (options.publicKeyPem !== undefined) {
    const given = parseKey(options.publicKeyPem);
    const same = given && publicKeyFingerprint(rawPublicKey(given)) === fingerprint;
    checks.push({
      name: 'public_key',
      ok: !!same,
      detail: same
        ? `the given key, fingerprint ${fingerprint}`
        : given
          ? 'signed by another key than the one given'
          : 'the given public key is not an Ed25519 key',
    });
  } else {
    checks.push({
      name: 'public_key',
      ok: true,
      detail: `embedded key only, fingerprint ${fingerprint}: compare it with the published one`,
    });
  }
  let valid = false;
  try {
    valid = verify(
      null,
      evidenceSigningBytes(doc),
      embedded,
      Buffer.from(String(sig.value), 'base64'),
    );
  } catch {
    valid = false;
  }
  checks.push({
    name: 'signature',
    ok: valid,
    detail: valid ? `Ed25519, key ${sig.keyId}` : 'the signature does not match the content',
  });
  try {
    checks.push(checkAnchor(doc));
  } catch {
    checks.push({ name: 'audit_anchor', ok: false, detail: 'the audit anchor is malformed' });
  }
  if (options.audioSha256 !== undefined) {
    const same = options.audioSha256 === doc.foundFile?.sha256;
    checks.push({
      name: 'audio_sha256',
      ok: same,
      detail: same
        ? `SHA-256 ${options.audioSha256} is the investigated file's`
        : `SHA-256 ${options.audioSha256} is not the investigated file's (${doc.foundFile?.sha256})`,
    });
  }
  return done();
}
