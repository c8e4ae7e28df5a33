import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { auditActions, ownerActor, type TestDeps, useTestDeps } from '../../test/deps.js';
import { appendAudit, eventHash, verifyAuditChain } from '../audit/audit-log.js';
import { withTenant } from '../db/transactions.js';
import type {
  InvestigationMatch,
  InvestigationResult,
} from '../investigations/investigation-result.js';
import type { Actor } from '../policies.js';
import { buildEvidence } from './build-evidence.js';
import { type EvidenceBundle, signEvidence, verifyEvidence } from './evidence-format.js';
import { evidenceFromPdf, evidencePdf } from './evidence-pdf.js';
import { getSigningPublicKey, organizationSigningKey } from './signing-key.js';
import { verifyEvidenceInVault } from './verify-in-vault.js';

const SHA = 'ab'.repeat(32);

/** A finished investigation naming one recipient, as the job would store it. */
async function finishedInvestigation(
  deps: TestDeps,
  actor: Actor,
  subject?: Pick<InvestigationMatch, 'subject' | 'recipient' | 'shareId'>,
): Promise<string> {
  const id = randomUUID();
  const result: InvestigationResult = {
    identified: true,
    inconclusive: false,
    matches: [
      {
        trackId: randomUUID(),
        trackTitle: 'Unreleased',
        shareId: randomUUID(),
        subject: 'recipient',
        recipient: { id: randomUUID(), name: 'Sam', email: 'sam@example.org', company: null },
        sharedAt: '2026-01-01T00:00:00.000Z',
        payload: '0123456789abcdef0123456789abcdef',
        keyId: randomUUID(),
        offsetSeconds: 1.25,
        speed: 1,
        falsePositiveProbability: 1e-30,
        log10FalsePositiveProbability: -30,
        detection: {
          frequencyScale: 1,
          scaling: 'none',
          zSync: 14.2,
          tTotal: 40.5,
          bitErrors: 3,
          observedBits: 400,
        },
        markedAt: '2026-01-01T00:00:00.000Z',
        accessHistory: [
          { kind: 'played', trackId: null, positionSeconds: 12, at: '2026-01-02T00:00:00.000Z' },
        ],
        ...subject,
      },
    ],
    durationSeconds: 24,
    thresholdProbability: 1e-9,
    keysSearched: 1,
    formatVersion: 1,
    completedAt: '2026-01-03T00:00:00.000Z',
  };
  await withTenant(deps.db, actor.tenantId, (tx) =>
    tx('investigations').insert({
      id,
      tenant_id: actor.tenantId,
      created_by: actor.userId,
      file_name: 'found.mp3',
      size_bytes: 1000,
      file_sha256: SHA,
      status: 'done',
      result: JSON.stringify(result),
      created_at: new Date('2026-01-03T00:00:00Z'),
      completed_at: new Date('2026-01-03T00:01:00Z'),
    }),
  );
  return id;
}

const clone = (b: EvidenceBundle): EvidenceBundle => JSON.parse(JSON.stringify(b));
const failed = (v: ReturnType<typeof verifyEvidence>) =>
  v.checks.filter((c) => !c.ok).map((c) => c.name);

describe.each(engines)('evidence bundles on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('signs a bundle anchored in the audit chain, and any change fails verification', async () => {
    const ann = await ownerActor(deps, 'ev-ann');
    const id = await finishedInvestigation(deps, ann);
    const bundle = await buildEvidence(deps, ann, {
      investigationId: id,
      softwareVersion: '9.9.9',
    });
    const pub = await getSigningPublicKey(deps, ann);
    // Publishing the key is for admins and owners; members may fetch bundles, not the key.
    await expect(getSigningPublicKey(deps, { ...ann, role: 'member' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(bundle.signature.fingerprint).toBe(pub.fingerprint);
    expect(bundle.signature.keyId).toBe(pub.keyId);
    const m = bundle.evidence.matches[0]!;
    expect(m.detection).toMatchObject({ payloadBits: 128, zSync: 14.2, scaling: 'none' });
    expect(m.falsePositive.derivation).toMatchObject({ document: 'docs/watermark.md' });
    expect(bundle.evidence.software.version).toBe('9.9.9');

    // The anchor is a real event of the chain, and the chain still verifies.
    expect(await auditActions(deps, ann.tenantId)).toEqual(
      expect.arrayContaining(['signing_key.create', 'investigation.evidence']),
    );
    const chain = await withTenant(deps.db, ann.tenantId, (tx) =>
      verifyAuditChain(tx, { tenantId: ann.tenantId }, deps.auditSigner),
    );
    expect(chain.ok).toBe(true);
    const ev = bundle.evidence.audit.event;
    const stored = await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('audit_events').where({ chain_id: ev.chainId, seq: ev.seq }).first(),
    );
    expect(stored.hash).toBe(ev.hash);
    expect(bundle.evidence.audit.checkpoint).toMatchObject({ seq: ev.seq, hash: ev.hash });

    // Through a JSON round trip, with the embedded and with the published key.
    const copy = clone(bundle);
    expect(verifyEvidence(copy)).toMatchObject({ verified: true });
    expect(
      verifyEvidence(copy, { publicKeyPem: pub.publicKeyPem, audioSha256: SHA }).verified,
    ).toBe(true);

    // One byte of the JSON changed.
    const text = JSON.stringify(bundle);
    const tampered = JSON.parse(text.replace('"sam@example.org"', '"sam@example.orh"'));
    expect(failed(verifyEvidence(tampered))).toEqual(['signature', 'audit_anchor']);
    // Another audio file.
    expect(failed(verifyEvidence(copy, { audioSha256: 'cd'.repeat(32) }))).toEqual([
      'audio_sha256',
    ]);
    // Signed by another organization's key: refused against the published key.
    const bob = await ownerActor(deps, 'ev-bob');
    const foreign = await getSigningPublicKey(deps, bob);
    expect(failed(verifyEvidence(copy, { publicKeyPem: foreign.publicKeyPem }))).toEqual([
      'public_key',
    ]);
    // The signature itself altered.
    const badSig = clone(bundle);
    const raw = Buffer.from(badSig.signature.value, 'base64');
    raw[0] = (raw[0] ?? 0) ^ 1;
    badSig.signature.value = raw.toString('base64');
    expect(failed(verifyEvidence(badSig))).toEqual(['signature']);
    // Not a bundle at all.
    expect(verifyEvidence({ hello: 1 }).verified).toBe(false);

    // The printable rendering: a PDF of the same data, the bundle attached.
    const pdf = await evidencePdf(bundle);
    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const printed = await PDFDocument.load(pdf);
    expect(printed.getTitle()).toBe(`Leak investigation evidence ${id}`);
    expect(printed.getPageCount()).toBeGreaterThanOrEqual(1);
    expect(await evidenceFromPdf(pdf)).toEqual(clone(bundle)); // the attached bundle
    expect(await evidenceFromPdf(Buffer.from('%PDF-1.7 not really'))).toBeNull();
    if (process.env.EVIDENCE_PDF_OUT) writeFileSync(process.env.EVIDENCE_PDF_OUT, pdf);
  });

  it('checks inside the vault that the anchor is in the chain', async () => {
    const ann = await ownerActor(deps, 'ev-dee');
    const id = await finishedInvestigation(deps, ann);
    const bundle = await buildEvidence(deps, ann, { investigationId: id, softwareVersion: '1' });
    const good = await verifyEvidenceInVault(deps, ann, clone(bundle));
    expect(good.verified).toBe(true);
    expect(good.checks.at(-1)).toMatchObject({ name: 'audit_chain', ok: true });

    // A consistent anchor at a position the chain does not have, signed with the real key:
    // offline checks pass, the vault's chain refutes it.
    const forged = clone(bundle).evidence;
    const e = forged.audit.event;
    e.seq = 999;
    e.hash = eventHash({ ...e, at: new Date(e.at) });
    forged.audit.checkpoint = { ...forged.audit.checkpoint!, seq: 999, hash: e.hash };
    const key = await withTenant(deps.db, ann.tenantId, (tx) =>
      organizationSigningKey(deps, tx, ann, new Date()),
    );
    const resigned = signEvidence(forged, key);
    expect(verifyEvidence(resigned).verified).toBe(true);
    const refuted = await verifyEvidenceInVault(deps, ann, resigned);
    expect(refuted.verified).toBe(false);
    expect(refuted.checks.filter((c) => !c.ok)).toEqual([
      expect.objectContaining({ name: 'audit_chain', detail: expect.stringContaining('not in') }),
    ]);
    // Another organization's vault knows neither the key nor the chain.
    const other = await ownerActor(deps, 'ev-fay');
    const foreign = await verifyEvidenceInVault(deps, other, clone(bundle));
    expect(failed(foreign)).toEqual(['public_key', 'audit_chain']);
  });

  it("lists a member's and a guest's audited exits as their access events", async () => {
    const ann = await ownerActor(deps, 'ev-gus');
    const guestToken = randomUUID();
    const objectId = randomUUID();
    await withTenant(deps.db, ann.tenantId, async (tx) => {
      const read = (actorId: string | null, detail: Record<string, unknown>) =>
        appendAudit(tx, new Date(), {
          tenantId: ann.tenantId,
          actorId,
          action: 'object.read',
          objectType: 'object',
          objectId,
          detail,
        });
      await read(ann.userId, { via: 'member', marked: true });
      await read(null, { via: 'guest', grant: guestToken, marked: true });
      await read(null, { via: 'guest', grant: randomUUID(), marked: true });
    });
    const exitsOf = async (subject: 'member' | 'guest', id: string) => {
      const inv = await finishedInvestigation(deps, ann, {
        subject,
        shareId: null,
        recipient: { id, name: `${subject}: someone`, email: '', company: null },
      });
      const b = await buildEvidence(deps, ann, { investigationId: inv, softwareVersion: '1' });
      expect(verifyEvidence(clone(b)).verified).toBe(true);
      return b.evidence.matches[0]!.accessEvents;
    };
    for (const [subject, id] of [
      ['member', ann.userId],
      ['guest', guestToken],
    ] as const) {
      const events = await exitsOf(subject, id);
      expect(events, subject).toEqual([
        {
          kind: 'object.read',
          trackId: null,
          objectId,
          positionSeconds: null,
          at: expect.any(String),
        },
      ]);
    }
  });

  it('refuses an unfinished investigation and hides other tenants', async () => {
    const ann = await ownerActor(deps, 'ev-cy');
    const id = await finishedInvestigation(deps, ann);
    await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('investigations').where({ id }).update({ status: 'running' }),
    );
    await expect(
      buildEvidence(deps, ann, { investigationId: id, softwareVersion: '1' }),
    ).rejects.toMatchObject({ code: 'conflict' });
    const eve = await ownerActor(deps, 'ev-eve');
    await expect(
      buildEvidence(deps, eve, { investigationId: id, softwareVersion: '1' }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});
