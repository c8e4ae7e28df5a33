import type { AnalysisDetails, StemsState, Track } from '@vaultmark/vault-core';
import { z } from 'zod';
import { PageQuery } from '../api/paging.js';
import { defineRoute, type RouteSpec } from '../api/route.js';
import { HttpError } from '../http-error.js';
import { sendDownload } from '../media/send-download.js';
import { receiveAudioUpload } from '../uploads/multipart.js';
import { actorOf, type ServerContext } from '../vault/server-context.js';

/** A track as the API shows it. */
export const TrackBody = z.object({
  id: z.string(),
  title: z.string(),
  artist: z.string().nullable(),
  durationSeconds: z.number().nullable(),
  bpm: z.number().nullable(),
  key: z.string().nullable(),
  camelot: z.string().nullable(),
  loudnessLufs: z.number().nullable(),
  truePeakDbtp: z.number().nullable(),
  tags: z.array(z.string()),
  folderId: z.string().nullable(),
  originalFileName: z.string().nullable(),
  analysisStatus: z.enum(['pending', 'running', 'done', 'failed']),
  /** The same as `analysisStatus` (the upload answer's `status`). */
  status: z.enum(['pending', 'running', 'done', 'failed']),
  version: z.number().int(),
  /** Free notes for the organization's members. */
  notes: z.string().nullable(),
  /** Whether the track has artwork (`GET /api/tracks/{id}/artwork`). */
  hasArtwork: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** Maps a catalog track (and its analysis details, when done) to the API's shape. */
export function presentTrack(track: Track, details?: AnalysisDetails): z.infer<typeof TrackBody> {
  // The catalog says `done` a moment before the job's result (details, peaks) is stored.
  const status = track.analysisStatus === 'done' && !details ? 'running' : track.analysisStatus;
  return {
    id: track.id,
    title: track.title,
    artist: track.artist,
    durationSeconds: track.durationSeconds,
    bpm: track.bpm,
    key: track.key,
    camelot: details?.camelot ?? null,
    loudnessLufs: details?.loudnessLufs ?? null,
    truePeakDbtp: details?.truePeakDbtp ?? null,
    tags: track.tags,
    folderId: track.folderId,
    originalFileName: track.originalFileName,
    analysisStatus: status,
    status,
    version: track.version,
    notes: track.notes,
    hasArtwork: track.hasArtwork,
    createdAt: track.createdAt.toISOString(),
    updatedAt: track.updatedAt.toISOString(),
  };
}

const Id = z.object({ id: z.uuid() });
const StemsBody = z.object({
  status: z.enum(['none', 'queued', 'running', 'done', 'failed']),
  progress: z.number(),
  error: z.string().optional(),
  stems: z.array(z.object({ name: z.string(), sizeBytes: z.number(), url: z.string() })),
});
const tags = ['tracks'];
const optionalText = (max: number) => z.string().trim().min(1).max(max).optional();

/** The catalog: upload (analysis runs as a job), search, read, edit, delete, waveform peaks. */
export function trackRoutes(ctx: ServerContext): RouteSpec[] {
  const { vault, config } = ctx;
  const presentStems = (track: Track, state: StemsState): z.infer<typeof StemsBody> => ({
    status: state.status,
    progress: state.progress,
    ...(state.error ? { error: state.error } : {}),
    stems: state.stems.map((s) => ({
      name: s.name,
      sizeBytes: s.sizeBytes,
      url: `/api/tracks/${track.id}/stems/${s.name}`,
    })),
  });
  const present = async (actor: ReturnType<typeof actorOf>, track: Track) =>
    presentTrack(track, (await vault.catalog.analysisDetails(actor, [track])).get(track.id));
  return [
    defineRoute({
      method: 'post',
      path: '/api/tracks',
      summary: 'Upload audio as a new track; tempo, key, loudness and peaks are computed in a job',
      tags,
      auth: 'user',
      rateLimit: {
        name: 'upload',
        max: 120,
        windowMs: 60 * 60_000,
        // Rate limits run before authentication: count by client address.
        keyOf: (koa) => koa.ip,
      },
      rawBody: {
        contentType: 'multipart/form-data',
        description: 'the audio in `file`; optional text fields `title` and `artist`',
        fields: { file: 'the audio file (WAV, AIFF, FLAC, MP3, AAC/M4A, Ogg, Opus, WebM)' },
      },
      responses: { 201: { description: 'the new track', schema: TrackBody } },
      handler: async (koa) => {
        const actor = actorOf(koa);
        const upload = await receiveAudioUpload(koa, {
          maxBytes: config.maxUploadBytes,
          tmpDir: ctx.tmpDir,
        });
        try {
          const track = await vault.catalog.uploadTrack(actor, {
            body: upload.open(),
            originalFileName: upload.originalName || null,
            ...(upload.fields.title ? { title: upload.fields.title.slice(0, 300) } : {}),
            ...(upload.fields.artist ? { artist: upload.fields.artist.slice(0, 300) } : {}),
          });
          return { status: 201, body: presentTrack(track) };
        } finally {
          await upload.discard();
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/tracks',
      summary:
        'Search the library (`q`: every word in title, artist, file name, key, Camelot code or tags; filters: tag, key, BPM, analysis status; `sort`: newest, oldest, title, bpm)',
      tags,
      auth: 'user',
      query: PageQuery.extend({
        q: z.string().max(200).optional(),
        tag: z.string().max(100).optional(),
        key: z.string().max(20).optional(),
        bpmMin: z.coerce.number().min(0).max(1000).optional(),
        bpmMax: z.coerce.number().min(0).max(1000).optional(),
        status: z.enum(['pending', 'running', 'done', 'failed']).optional(),
        sort: z.enum(['newest', 'oldest', 'title', 'bpm']).optional(),
      }),
      responses: {
        200: {
          description: 'a page of tracks (newest first unless `sort` says otherwise) and the total',
          schema: z.object({
            items: z.array(TrackBody),
            total: z.number().int(),
            limit: z.number().int(),
            offset: z.number().int(),
          }),
        },
      },
      handler: async (koa, { query }) => {
        const actor = actorOf(koa);
        const { status, ...filter } = query;
        const page = await vault.catalog.listTracks(actor, {
          ...filter,
          ...(status ? { analysisStatus: status } : {}),
        });
        const details = await vault.catalog.analysisDetails(actor, page.items);
        return {
          status: 200,
          body: {
            items: page.items.map((t) => presentTrack(t, details.get(t.id))),
            total: page.total,
            limit: query.limit,
            offset: query.offset,
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/tracks/:id',
      summary: 'One track with its analysis results (and why the analysis failed, when it did)',
      tags,
      auth: 'user',
      params: Id,
      responses: {
        200: {
          description: 'the track',
          schema: TrackBody.extend({ analysisError: z.string().nullable() }),
        },
      },
      handler: async (koa, { params }) => {
        const actor = actorOf(koa);
        const track = await vault.catalog.getTrack(actor, params.id);
        return {
          status: 200,
          body: {
            ...(await present(actor, track)),
            analysisError: await vault.catalog.analysisFailure(actor, track.id),
          },
        };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/tracks/:id',
      summary: 'Edit metadata (title, artist, BPM, key, tags, folder, notes)',
      tags,
      auth: 'user',
      params: Id,
      body: z
        .object({
          title: optionalText(300),
          artist: z.string().trim().max(300).nullable().optional(),
          bpm: z.number().min(1).max(1000).nullable().optional(),
          key: z.string().trim().max(20).nullable().optional(),
          tags: z.array(z.string().trim().min(1).max(50)).max(50).optional(),
          folderId: z.uuid().nullable().optional(),
          notes: z.string().max(5000).nullable().optional(),
        })
        .strict(),
      responses: { 200: { description: 'the updated track', schema: TrackBody } },
      handler: async (koa, { params, body }) => {
        const actor = actorOf(koa);
        const track = await vault.catalog.updateTrack(actor, params.id, body);
        return { status: 200, body: await present(actor, track) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/tracks/:id',
      summary: 'Delete a track; every stored version and its stems are crypto-erased',
      tags,
      auth: 'user',
      params: Id,
      responses: { 204: { description: 'deleted' } },
      handler: async (koa, { params }) => {
        const actor = actorOf(koa);
        await vault.catalog.deleteTrack(actor, params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/tracks/:id/peaks',
      summary: 'Waveform peaks of the current version (audiowaveform JSON, 8-bit, 20 points/s)',
      tags,
      auth: 'user',
      params: Id,
      responses: {
        200: {
          description: 'audiowaveform JSON',
          schema: z.object({
            version: z.number().int(),
            channels: z.number().int(),
            sample_rate: z.number().int(),
            samples_per_pixel: z.number().int(),
            bits: z.number().int(),
            length: z.number().int(),
            data: z.array(z.number().int()),
          }),
        },
      },
      handler: async (koa, { params }) => {
        const actor = actorOf(koa);
        const peaks = await vault.catalog.trackPeaks(actor, params.id);
        if (!peaks) throw new HttpError(409, 'analysis_pending', 'the waveform is not ready yet');
        return { status: 200, headers: { 'Cache-Control': 'private, no-store' }, body: peaks };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/tracks/:id/stems',
      summary: 'Separate the current version into vocals, drums and other (a job; owner asks)',
      tags,
      auth: 'user',
      params: Id,
      responses: { 202: { description: 'separation queued (or already done)', schema: StemsBody } },
      handler: async (koa, { params }) => {
        const actor = actorOf(koa);
        const track = await vault.catalog.getTrack(actor, params.id);
        const state = await vault.catalog.requestStems(actor, track.id);
        return { status: 202, body: presentStems(track, state) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/tracks/:id/stems',
      summary: 'State of the stem separation and the stems, when done',
      tags,
      auth: 'user',
      params: Id,
      responses: { 200: { description: 'the stems', schema: StemsBody } },
      handler: async (koa, { params }) => {
        const actor = actorOf(koa);
        const track = await vault.catalog.getTrack(actor, params.id);
        return {
          status: 200,
          body: presentStems(track, await vault.catalog.trackStems(actor, track.id)),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/tracks/:id/stems/:name',
      summary:
        'Download one stem (16-bit WAV): as stored for owners (and admins with `master=true`), marked for the member otherwise',
      tags,
      auth: 'user',
      params: Id.extend({ name: z.string().regex(/^[a-z]{1,20}$/) }),
      query: z.object({
        master: z
          .enum(['true', 'false'])
          .optional()
          .transform((v) => v === 'true'),
      }),
      responses: {
        200: { description: 'the stem', contentType: 'audio/wav' },
        206: { description: 'a byte range of a marked stem', contentType: 'audio/wav' },
      },
      handler: async (koa, { params, query }) => {
        const actor = actorOf(koa);
        const track = await vault.catalog.getTrack(actor, params.id);
        const { stems } = await vault.catalog.trackStems(actor, track.id);
        const stem = stems.find((s) => s.name === params.name);
        if (!stem) throw new HttpError(404, 'not_found', 'no such stem');
        const download = await vault.catalog.openStemDownload(
          actor,
          track.id,
          { objectId: stem.objectId, name: stem.name },
          { master: query.master },
        );
        await sendDownload(koa, download);
        return { status: koa.status };
      },
    }),
  ];
}
