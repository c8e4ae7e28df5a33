import { evidencePdf, type Investigation, type InvestigationMatch } from '@vaultmark/vault-core';
import { z } from 'zod';
import { attachment } from '../api/attachment.js';
import { PageQuery } from '../api/paging.js';
import { defineRoute, type RouteSpec } from '../api/route.js';
import { HttpError } from '../http-error.js';
import { receiveAudioUpload } from '../uploads/multipart.js';
import { actorOf, type ServerContext } from '../vault/server-context.js';
import { investigationReportPage } from '../web/pages/investigation-report.js';

const tags = ['investigations'];
const Id = z.object({ id: z.uuid() });

const Recipient = z.object({
  name: z.string(),
  email: z.string(),
  company: z.string().optional(),
});
const Match = z.object({
  trackId: z.string(),
  trackTitle: z.string().nullable(),
  /** The share the copy left through; null for a guest's or a studio member's copy. */
  shareId: z.string().nullable(),
  /** Who received the copy: a share recipient, a guest or a studio member. */
  subject: z.enum(['recipient', 'guest', 'member']),
  recipient: Recipient,
  sharedAt: z.string(),
  payload: z.string(),
  keyId: z.string(),
  offsetSeconds: z.number(),
  speed: z.number(),
  falsePositiveProbability: z.number(),
  log10FalsePositiveProbability: z.number(),
  /**
   * `decoded` from the mark alone; `candidate` when the copy was too damaged to decode and its
   * mark matched one of the `candidates` payloads the organization issued under the key.
   */
  method: z.enum(['decoded', 'candidate']).optional(),
  candidates: z.number().int().optional(),
});
const Result = z.object({
  identified: z.boolean(),
  inconclusive: z.boolean(),
  reason: z.enum(['no_match', 'watermark_unreadable', 'audio_too_short']).optional(),
  /** The strongest match's fields, repeated at the top for scripts. */
  trackId: z.string().optional(),
  trackTitle: z.string().nullable().optional(),
  shareId: z.string().nullable().optional(),
  subject: z.enum(['recipient', 'guest', 'member']).optional(),
  recipient: Recipient.optional(),
  falsePositiveProbability: z.number().optional(),
  /** log10 of the bound, exact where the probability itself underflows to 0. */
  log10FalsePositiveProbability: z.number().optional(),
  offsetSeconds: z.number().optional(),
  matches: z.array(Match),
  durationSeconds: z.number(),
  thresholdProbability: z.number(),
  keysSearched: z.number().int(),
  formatVersion: z.number().int(),
});
const InvestigationBody = z.object({
  id: z.string(),
  /** `succeeded` once the result is in. */
  status: z.enum(['queued', 'running', 'succeeded', 'failed']),
  progress: z.number(),
  fileName: z.string(),
  sizeBytes: z.number(),
  fileSha256: z.string(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  result: Result.optional(),
});

const recipientOf = (r: InvestigationMatch['recipient']) => ({
  name: r.name,
  email: r.email,
  ...(r.company ? { company: r.company } : {}),
});

/** Titles of the tracks with these ids in the actor's organization (a deleted one is missing). */
async function trackTitles(
  vault: ServerContext['vault'],
  actor: ReturnType<typeof actorOf>,
  ids: (string | null)[],
): Promise<Map<string, string>> {
  const titles = new Map<string, string>();
  for (const id of new Set(ids)) {
    if (!id) continue;
    const track = await vault.catalog.getTrack(actor, id).catch(() => undefined);
    if (track) titles.set(id, track.title);
  }
  return titles;
}

function presentMatch(m: InvestigationMatch): z.infer<typeof Match> {
  return {
    trackId: m.trackId,
    trackTitle: m.trackTitle,
    shareId: m.shareId,
    subject: m.subject,
    recipient: recipientOf(m.recipient),
    sharedAt: m.sharedAt,
    payload: m.payload,
    keyId: m.keyId,
    offsetSeconds: m.offsetSeconds,
    speed: m.speed,
    falsePositiveProbability: m.falsePositiveProbability,
    log10FalsePositiveProbability: m.log10FalsePositiveProbability,
    ...(m.detection?.method ? { method: m.detection.method } : {}),
    ...(m.detection?.candidates !== undefined ? { candidates: m.detection.candidates } : {}),
  };
}

/** Maps an investigation to the API's shape (the strongest match repeated at the top). */
function presentInvestigation(inv: Investigation): z.infer<typeof InvestigationBody> {
  const r = inv.result;
  const top = r?.matches[0];
  return {
    id: inv.id,
    status: inv.status === 'done' ? 'succeeded' : inv.status,
    progress: inv.progress,
    fileName: inv.fileName,
    sizeBytes: inv.sizeBytes,
    fileSha256: inv.fileSha256,
    createdAt: inv.createdAt.toISOString(),
    completedAt: inv.completedAt ? inv.completedAt.toISOString() : null,
    ...(inv.status === 'failed'
      ? {
          error: {
            code: 'investigation_failed',
            message: inv.error ?? 'the investigation failed',
          },
        }
      : {}),
    ...(r && inv.status === 'done'
      ? {
          result: {
            identified: r.identified,
            inconclusive: r.inconclusive,
            ...(r.reason ? { reason: r.reason } : {}),
            ...(top
              ? {
                  trackId: top.trackId,
                  trackTitle: top.trackTitle,
                  shareId: top.shareId,
                  subject: top.subject,
                  recipient: recipientOf(top.recipient),
                  falsePositiveProbability: top.falsePositiveProbability,
                  log10FalsePositiveProbability: top.log10FalsePositiveProbability,
                  offsetSeconds: top.offsetSeconds,
                }
              : {}),
            matches: r.matches.map(presentMatch),
            durationSeconds: r.durationSeconds,
            thresholdProbability: r.thresholdProbability,
            keysSearched: r.keysSearched,
            formatVersion: r.formatVersion,
          },
        }
      : {}),
  };
}

/** The signed evidence bundle as served: its shape is specified in docs/evidence.md. */
const EvidenceBody = z
  .object({
    evidence: z.looseObject({ format: z.literal('vaultmark-evidence/v1') }),
    signature: z.object({
      algorithm: z.literal('Ed25519'),
      keyId: z.string(),
      publicKeyPem: z.string(),
      fingerprint: z.string(),
      value: z.string(),
    }),
  })
  .meta({ description: 'evidence and a detached Ed25519 signature over its canonical JSON' });

const VerificationBody = z.object({
  verified: z.boolean(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })),
});

const SigningKeyBody = z.object({
  keyId: z.string(),
  algorithm: z.literal('Ed25519'),
  publicKeyPem: z.string(),
  fingerprint: z.string(),
  createdAt: z.string(),
});

/** Leak investigations: upload found audio (a job searches it), read the result and the report. */
export function investigationRoutes(ctx: ServerContext, version: string): RouteSpec[] {
  const { vault, config } = ctx;
  // A bundle is made (and audited) on every request: each carries its own audit anchor.
  const evidenceOf = (koa: Parameters<typeof actorOf>[0], id: string) =>
    vault.investigations.evidence(actorOf(koa), { investigationId: id, softwareVersion: version });
  return [
    defineRoute({
      method: 'post',
      path: '/api/investigations',
      summary: 'Upload found audio; a job searches it for the watermarks of your shares',
      tags,
      auth: 'user',
      rateLimit: { name: 'investigate', max: 60, windowMs: 3600_000, keyOf: (koa) => koa.ip },
      rawBody: {
        contentType: 'multipart/form-data',
        description: 'the found audio in `file` (any format: MP3, AAC, an excerpt, ...)',
        fields: { file: 'the found audio' },
      },
      responses: {
        202: {
          description: 'accepted; poll GET /api/investigations/{id}',
          schema: InvestigationBody,
        },
      },
      handler: async (koa) => {
        const actor = actorOf(koa);
        // The vault's own cap on found audio (default 512 MiB), refused while it streams in.
        const cap = vault.investigations.limits().maxBytes;
        const upload = await receiveAudioUpload(koa, {
          maxBytes: Math.min(config.maxUploadBytes, cap),
          tmpDir: ctx.tmpDir,
        });
        try {
          const started = await vault.investigations.start(actor, {
            file: upload.open(),
            fileName: upload.originalName || null,
            sizeBytes: upload.size,
          });
          return {
            status: 202,
            headers: { Location: `/api/investigations/${started.id}` },
            body: presentInvestigation(started),
          };
        } finally {
          await upload.discard();
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/investigations',
      summary: "The organization's investigations, newest first",
      tags,
      auth: 'user',
      query: PageQuery,
      responses: {
        200: {
          description: 'investigations',
          schema: z.object({ items: z.array(InvestigationBody) }),
        },
      },
      handler: async (koa, { query }) => ({
        status: 200,
        body: {
          items: (await vault.investigations.list(actorOf(koa), query)).map(presentInvestigation),
        },
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/investigations/:id',
      summary: 'Progress and result of an investigation',
      tags,
      auth: 'user',
      params: Id,
      responses: { 200: { description: 'the investigation', schema: InvestigationBody } },
      handler: async (koa, { params }) => ({
        status: 200,
        body: presentInvestigation(await vault.investigations.get(actorOf(koa), params.id)),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/investigations/:id/evidence',
      summary: 'The signed evidence bundle of a finished investigation (audited)',
      tags,
      auth: 'user',
      params: Id,
      responses: {
        200: {
          description: 'the bundle (check it with `vaultmark evidence verify`)',
          schema: EvidenceBody,
        },
      },
      handler: async (koa, { params }) => {
        const bundle = await evidenceOf(koa, params.id);
        return {
          status: 200,
          headers: attachment(`evidence-${params.id}.json`, 'application/json; charset=utf-8'),
          body: bundle,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/investigations/:id/evidence.pdf',
      summary: 'The evidence bundle as a printable PDF, the signed JSON attached (audited)',
      tags,
      auth: 'user',
      params: Id,
      responses: { 200: { description: 'the PDF', contentType: 'application/pdf' } },
      handler: async (koa, { params }) => {
        const pdf = await evidencePdf(await evidenceOf(koa, params.id));
        return {
          status: 200,
          headers: attachment(`evidence-${params.id}.pdf`, 'application/pdf'),
          body: Buffer.from(pdf),
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/evidence/verify',
      summary: "Verify a bundle against this organization's key and audit chain (admins)",
      tags,
      auth: 'user',
      body: z.looseObject({}).meta({ description: 'an evidence bundle as served' }),
      responses: { 200: { description: 'the checks', schema: VerificationBody } },
      handler: async (koa, { body }) => ({
        status: 200,
        body: await vault.investigations.verifyEvidence(actorOf(koa), body),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/evidence/signing-key',
      summary: "The organization's evidence signing public key, to publish (admins)",
      tags,
      auth: 'user',
      responses: { 200: { description: 'the public key', schema: SigningKeyBody } },
      handler: async (koa) => {
        const key = await vault.investigations.signingKey(actorOf(koa));
        return { status: 200, body: { ...key, createdAt: key.createdAt.toISOString() } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/investigations/:id/report',
      summary: 'The printable evidence report of a finished investigation',
      tags,
      auth: 'user',
      params: Id,
      responses: { 200: { description: 'the report', contentType: 'text/html' } },
      handler: async (koa, { params }) => {
        const inv = await vault.investigations.get(actorOf(koa), params.id);
        const r = inv.result;
        if (inv.status !== 'done' || !r) {
          throw new HttpError(409, 'investigation_pending', 'the investigation has not finished');
        }
        // The access history names tracks by id: the report shows their titles.
        const titles = await trackTitles(
          vault,
          actorOf(koa),
          r.matches.flatMap((m) => m.accessHistory.map((e) => e.trackId)),
        );
        const body = investigationReportPage({
          id: inv.id,
          createdAt: inv.createdAt,
          completedAt: inv.completedAt ?? new Date(r.completedAt),
          fileName: inv.fileName,
          fileSha256: inv.fileSha256,
          durationSeconds: r.durationSeconds,
          thresholdProbability: r.thresholdProbability,
          identified: r.identified,
          inconclusive: r.inconclusive,
          matches: r.matches.map((m) => ({
            trackTitle: m.trackTitle ?? '(deleted track)',
            trackId: m.trackId,
            shareId: m.shareId,
            recipient: recipientOf(m.recipient),
            sharedAt: new Date(m.sharedAt),
            payloadHex: m.payload,
            keyName: m.keyId,
            offsetSeconds: m.offsetSeconds,
            falsePositiveProbability: m.falsePositiveProbability,
            log10FalsePositiveProbability: m.log10FalsePositiveProbability,
            speed: m.speed,
            ...(m.detection?.method === 'candidate'
              ? { matchedAmong: m.detection.candidates ?? 0 }
              : {}),
            accessLog: m.accessHistory.map((e) => ({
              at: new Date(e.at),
              action: e.kind,
              track: e.trackId ? (titles.get(e.trackId) ?? '(deleted track)') : '',
              ...(e.positionSeconds !== null
                ? { detail: `at ${e.positionSeconds.toFixed(1)} s` }
                : {}),
            })),
          })),
          softwareVersion: version,
          formatVersion: r.formatVersion,
        });
        return {
          status: 200,
          headers: {
            'Content-Type': 'text/html; charset=utf-8',
            'Cache-Control': 'private, no-store',
          },
          body,
        };
      },
    }),
  ];
}
