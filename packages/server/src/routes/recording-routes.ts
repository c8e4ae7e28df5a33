import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../api/route.js';
import { HttpError } from '../http-error.js';
import { actorOf, type ServerContext } from '../vault/server-context.js';

const tags = ['recording sessions'];
const Id = z.object({ id: z.uuid() });
const ParticipantId = z.object({ id: z.uuid(), participantId: z.uuid() });
const Role = z.enum(['host', 'guest', 'engineer']);

/** Where a participant's page sends the token of their invitation link (never in a URL). */
export const PARTICIPANT_TOKEN_HEADER = 'X-Vaultmark-Participant-Token';

/** The resumable-upload endpoint of participants without an account. */
export const PARTICIPANT_UPLOADS_PATH = '/api/participant-uploads';

/** tus metadata keys naming what a resumable upload is for (`Upload-Metadata`). */
export const RECORDING_UPLOAD_METADATA = {
  session: 'recordingSession',
  participant: 'participant',
  /** ISO 8601 instant the participant started recording (aligns the session's tracks). */
  startedAt: 'startedAt',
} as const;

const SessionSummary = z.object({
  id: z.string(),
  title: z.string(),
  scheduledAt: z.string().nullable(),
  createdAt: z.string(),
});
const SessionBody = SessionSummary.extend({
  participants: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      email: z.string(),
      role: Role,
      createdAt: z.string(),
      /** When the participant was removed (their link revoked), or null. */
      removedAt: z.string().nullable(),
    }),
  ),
  tracks: z.array(
    z.object({
      id: z.string(),
      participantId: z.string(),
      /** The catalog track it became: audio, waveform, analysis and shares as for any track. */
      trackId: z.string().nullable(),
      originalFileName: z.string().nullable(),
      sizeBytes: z.number().int(),
      sha256: z.string(),
      startedAt: z.string(),
      /** Start relative to the session's earliest track (ms): where the player places it. */
      offsetMs: z.number().int(),
      transcript: z.string().nullable(),
    }),
  ),
  events: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['invited', 'joined', 'upload_started', 'completed', 'failed']),
      participantId: z.string().nullable(),
      at: z.string(),
      detail: z.record(z.string(), z.unknown()).nullable(),
    }),
  ),
});
const ParticipantView = z.object({
  session: z.object({ id: z.string(), title: z.string(), scheduledAt: z.string().nullable() }),
  participant: z.object({ id: z.string(), name: z.string(), role: z.string() }),
  expiresAt: z.string(),
  tracks: z.array(
    z.object({
      id: z.string(),
      originalFileName: z.string().nullable(),
      sizeBytes: z.number().int(),
      startedAt: z.string(),
    }),
  ),
  upload: z.object({
    endpoint: z.string(),
    protocol: z.literal('tus/1.0.0'),
    checksumAlgorithm: z.literal('sha256'),
    metadata: z.record(z.string(), z.string()),
  }),
});
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/**
 * Recording sessions: create one (it gets its own data key), invite participants by email, read
 * it with its aligned tracks and events, delete it (crypto-erasure). Participants' tracks arrive
 * through the resumable upload endpoint (`/api/uploads`, tus 1.0 with per-chunk SHA-256
 * checksums) with metadata naming the session and participant; the `upload` route below says how.
 */
export function recordingRoutes(ctx: ServerContext): RouteSpec[] {
  const { vault, config } = ctx;
  return [
    defineRoute({
      method: 'post',
      path: '/api/recording-sessions',
      summary:
        'Create a recording session (it gets its own data key, wrapped by the deployment key)',
      tags,
      auth: 'user',
      body: z
        .object({
          title: z.string().trim().min(1).max(300),
          scheduledAt: z.iso.datetime().optional(),
        })
        .strict(),
      responses: {
        201: { description: 'created', schema: z.object({ id: z.string(), title: z.string() }) },
      },
      handler: async (koa, { body }) => {
        const session = await vault.recording.create(actorOf(koa), {
          title: body.title,
          scheduledAt: body.scheduledAt ? new Date(body.scheduledAt) : null,
        });
        return { status: 201, body: { id: session.id, title: session.title } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/recording-sessions',
      summary: 'The organization’s recording sessions, newest first',
      tags,
      auth: 'user',
      responses: {
        200: {
          description: 'the sessions',
          schema: z.object({ items: z.array(SessionSummary) }),
        },
      },
      handler: async (koa) => {
        const items = await vault.recording.list(actorOf(koa));
        return {
          status: 200,
          body: {
            items: items.map((s) => ({
              id: s.id,
              title: s.title,
              scheduledAt: iso(s.scheduledAt),
              createdAt: iso(s.createdAt)!,
            })),
          },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/recording-sessions/:id/participants',
      summary: 'Invite a participant (host, guest or engineer); the invitation is emailed',
      tags,
      auth: 'user',
      params: Id,
      body: z
        .object({ name: z.string().trim().min(1).max(200), email: z.string().max(254), role: Role })
        .strict(),
      responses: { 201: { description: 'invited', schema: z.object({ id: z.string() }) } },
      handler: async (koa, { params, body }) => {
        const link = new URL(`/recording-sessions/${params.id}`, config.publicBaseUrl).toString();
        // The participant's own page: the mail adds their token as the fragment.
        const participantLink = new URL('/participate', config.publicBaseUrl).toString();
        const added = await vault.recording.addParticipant(actorOf(koa), params.id, {
          ...body,
          link,
          participantLink,
        });
        return { status: 201, body: added };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/recording-sessions/:id/participants/:participantId',
      summary:
        'Remove a participant: their invitation link stops working at once; their tracks stay',
      tags,
      auth: 'user',
      params: ParticipantId,
      responses: { 204: { description: 'removed' } },
      handler: async (koa, { params }) => {
        await vault.recording.removeParticipant(actorOf(koa), params.id, params.participantId);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/participant-link',
      summary: `A participant's view through their invitation link (token in the ${PARTICIPANT_TOKEN_HEADER} header, no account): their session and own tracks, and where to upload; each use is audited`,
      tags,
      auth: 'public',
      responses: { 200: { description: 'the participant view', schema: ParticipantView } },
      handler: async (koa) => {
        const token = koa.get(PARTICIPANT_TOKEN_HEADER);
        const ipHash = await vault.accounts.clientIpHash(koa.ip);
        const a = await vault.recording.openParticipantLink(token, { ipHash });
        return {
          status: 200,
          headers: { 'Cache-Control': 'private, no-store' },
          body: {
            session: { id: a.sessionId, title: a.sessionTitle, scheduledAt: iso(a.scheduledAt) },
            participant: { id: a.participantId, name: a.participantName, role: a.role },
            expiresAt: iso(a.expiresAt)!,
            tracks: a.tracks.map((t) => ({ ...t, startedAt: iso(t.startedAt)! })),
            upload: {
              endpoint: PARTICIPANT_UPLOADS_PATH,
              protocol: 'tus/1.0.0' as const,
              checksumAlgorithm: 'sha256' as const,
              metadata: {
                [RECORDING_UPLOAD_METADATA.session]: a.sessionId,
                [RECORDING_UPLOAD_METADATA.participant]: a.participantId,
              },
            },
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/recording-sessions/:id',
      summary: 'A session with its participants, tracks (aligned by start time) and events',
      tags,
      auth: 'user',
      params: Id,
      responses: { 200: { description: 'the session', schema: SessionBody } },
      handler: async (koa, { params }) => {
        const s = await vault.recording.get(actorOf(koa), params.id);
        return {
          status: 200,
          headers: { 'Cache-Control': 'private, no-store' },
          body: {
            id: s.id,
            title: s.title,
            scheduledAt: iso(s.scheduledAt),
            createdAt: iso(s.createdAt)!,
            participants: s.participants.map((p) => ({
              ...p,
              createdAt: iso(p.createdAt)!,
              removedAt: iso(p.removedAt),
            })),
            tracks: s.tracks.map((t) => ({ ...t, startedAt: iso(t.startedAt)! })),
            events: s.events.map((e) => ({ ...e, at: iso(e.at)! })),
          },
        };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/recording-sessions/:id',
      summary:
        'Delete a recording by crypto-erasure: its key, tracks, transcripts and the catalog tracks they became (creator or admins)',
      tags,
      auth: 'user',
      params: Id,
      responses: { 204: { description: 'erased' } },
      handler: async (koa, { params }) => {
        await vault.recording.delete(actorOf(koa), params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/recording-sessions/:id/participants/:participantId/upload',
      summary:
        'How to upload a participant’s track: tus 1.0 at /api/uploads in chunks, each with `Upload-Checksum: sha256 <base64>` (460 when it does not match), resumable with HEAD; `Upload-Metadata` names the session and participant',
      tags,
      auth: 'user',
      params: ParticipantId,
      responses: {
        200: {
          description: 'the upload endpoint and the metadata to send',
          schema: z.object({
            endpoint: z.string(),
            protocol: z.literal('tus/1.0.0'),
            checksumAlgorithm: z.literal('sha256'),
            metadata: z.record(z.string(), z.string()),
          }),
        },
      },
      handler: async (koa, { params }) => {
        const session = await vault.recording.get(actorOf(koa), params.id);
        if (!session.participants.some((p) => p.id === params.participantId)) {
          throw new HttpError(404, 'not_found', 'participant not found');
        }
        return {
          status: 200,
          body: {
            endpoint: '/api/uploads',
            protocol: 'tus/1.0.0' as const,
            checksumAlgorithm: 'sha256' as const,
            metadata: {
              [RECORDING_UPLOAD_METADATA.session]: params.id,
              [RECORDING_UPLOAD_METADATA.participant]: params.participantId,
              [RECORDING_UPLOAD_METADATA.startedAt]: '<ISO 8601 start of the recording>',
              filename: '<file name>',
            },
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/organization/transcripts',
      summary: 'Whether recording-session tracks are transcribed (off unless an admin turns it on)',
      tags,
      auth: 'user',
      responses: {
        200: { description: 'the setting', schema: z.object({ enabled: z.boolean() }) },
      },
      handler: async (koa) => ({
        status: 200,
        body: await vault.recording.getTranscriptSettings(actorOf(koa)),
      }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/organization/transcripts',
      summary: 'Turn transcripts of recording sessions on or off (admins); audited',
      tags,
      auth: 'user',
      body: z.object({ enabled: z.boolean() }).strict(),
      responses: {
        200: { description: 'the setting', schema: z.object({ enabled: z.boolean() }) },
      },
      handler: async (koa, { body }) => {
        const actor = actorOf(koa);
        await vault.recording.setTranscriptSettings(actor, body);
        return { status: 200, body: await vault.recording.getTranscriptSettings(actor) };
      },
    }),
  ];
}
