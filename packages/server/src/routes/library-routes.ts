import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../api/route.js';
import { sendDownload } from '../media/send-download.js';
import { receiveAudioUpload } from '../uploads/multipart.js';
import { actorOf, type ServerContext } from '../vault/server-context.js';
import { presentTrack, TrackBody } from './track-routes.js';

const tags = ['library'];
const Folder = z.object({
  id: z.string(),
  name: z.string(),
  parentId: z.string().nullable(),
  createdAt: z.string(),
});
const Version = z.object({
  version: z.number().int(),
  originalFileName: z.string().nullable(),
  contentSha256: z.string().nullable(),
  sizeBytes: z.number().nullable(),
  createdAt: z.string(),
});
const Id = z.object({ id: z.uuid() });

/** Folders, track versions and the owner's own copy of the stored audio. */
export function libraryRoutes(ctx: ServerContext): RouteSpec[] {
  const { vault, config } = ctx;
  return [
    defineRoute({
      method: 'get',
      path: '/api/folders',
      summary: "The organization's folders",
      tags,
      auth: 'user',
      responses: { 200: { description: 'folders', schema: z.object({ items: z.array(Folder) }) } },
      handler: async (koa) => ({
        status: 200,
        body: {
          items: (await vault.catalog.listFolders(actorOf(koa))).map((f) => ({
            ...f,
            createdAt: f.createdAt.toISOString(),
          })),
        },
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/folders',
      summary: 'Create a folder (optionally inside another)',
      tags,
      auth: 'user',
      body: z.object({ name: z.string().min(1).max(200), parentId: z.uuid().optional() }),
      responses: { 201: { description: 'the folder', schema: Folder } },
      handler: async (koa, { body }) => {
        const folder = await vault.catalog.createFolder(actorOf(koa), body);
        return { status: 201, body: { ...folder, createdAt: folder.createdAt.toISOString() } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/folders/:id',
      summary: 'Delete a folder (admins)',
      tags,
      auth: 'user',
      params: Id,
      responses: { 204: { description: 'deleted' } },
      handler: async (koa, { params }) => {
        await vault.catalog.deleteFolder(actorOf(koa), params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/tracks/:id/versions',
      summary: "A track's stored versions, newest first",
      tags,
      auth: 'user',
      params: Id,
      responses: {
        200: { description: 'versions', schema: z.object({ items: z.array(Version) }) },
      },
      handler: async (koa, { params }) => ({
        status: 200,
        body: {
          items: (await vault.catalog.listTrackVersions(actorOf(koa), params.id)).map((v) => ({
            version: v.version,
            originalFileName: v.originalFileName,
            contentSha256: v.contentSha256,
            sizeBytes: v.sizeBytes,
            createdAt: v.createdAt.toISOString(),
          })),
        },
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/tracks/:id/versions',
      summary: 'Upload a new version (a new mix); it becomes current and is analysed',
      tags,
      auth: 'user',
      params: Id,
      rawBody: {
        contentType: 'multipart/form-data',
        description: 'the audio in `file`',
        fields: { file: 'the new version' },
      },
      responses: { 201: { description: 'the track at its new version', schema: TrackBody } },
      handler: async (koa, { params }) => {
        const actor = actorOf(koa);
        await vault.catalog.getTrack(actor, params.id);
        const upload = await receiveAudioUpload(koa, {
          maxBytes: config.maxUploadBytes,
          tmpDir: ctx.tmpDir,
        });
        try {
          const track = await vault.catalog.addTrackVersion(actor, params.id, {
            body: upload.open(),
            originalFileName: upload.originalName || null,
          });
          return { status: 201, body: presentTrack(track) };
        } finally {
          await upload.discard();
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/tracks/:id/audio',
      summary:
        'Download the current (or a given) version: the master for owners (and admins with `master=true`), a WAV marked for the member otherwise',
      tags,
      auth: 'user',
      params: Id,
      query: z.object({
        version: z.coerce.number().int().min(1).optional(),
        master: z
          .enum(['true', 'false'])
          .optional()
          .transform((v) => v === 'true'),
      }),
      responses: {
        200: {
          description: 'the master as uploaded, or the member’s marked copy (audio/wav)',
          contentType: 'application/octet-stream',
        },
        206: { description: 'a byte range of a marked copy', contentType: 'audio/wav' },
      },
      handler: async (koa, { params, query }) => {
        const download = await vault.catalog.openTrackDownload(actorOf(koa), params.id, {
          ...(query.version ? { version: query.version } : {}),
          master: query.master,
        });
        await sendDownload(koa, download);
        return { status: koa.status };
      },
    }),
  ];
}
