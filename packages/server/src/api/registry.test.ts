import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createResponseValidator } from '../../test/openapi-validator.js';
import { createApp } from '../app.js';
import { HttpError } from '../http-error.js';
import { listen, type RunningServer } from '../listen.js';
import { defineRoute } from './route.js';

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close(100)));
});

const Note = z.object({ id: z.string(), text: z.string(), stars: z.number().int() });

const routes = [
  defineRoute({
    method: 'post',
    path: '/api/notes',
    summary: 'Create a note',
    auth: 'public',
    body: z.object({ text: z.string().min(1).max(200), stars: z.number().int().min(0).max(5) }),
    responses: { 201: { description: 'created', schema: Note } },
    handler: (_ctx, { body }) => ({ status: 201, body: { id: 'n1', ...body } }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/notes/:id',
    summary: 'Read a note',
    auth: 'user',
    params: z.object({ id: z.string().regex(/^n\d+$/) }),
    query: z.object({ verbose: z.enum(['yes', 'no']).optional() }),
    responses: { 200: { description: 'the note', schema: Note } },
    handler: (_ctx, { params }) => ({ status: 200, body: { id: params.id, text: 'x', stars: 1 } }),
  }),
];

async function start() {
  const built = createApp({
    logger: pino({ level: 'silent' }),
    routes,
    version: '1.2.3',
    authenticate: async (ctx) => {
      if (ctx.get('Authorization') !== 'Bearer good') {
        throw new HttpError(401, 'unauthenticated', 'sign in first');
      }
    },
  });
  const server = await listen(built.app, 0);
  running.push(server);
  return { url: server.url, openapi: built.openapi };
}

describe('declared routes', () => {
  it('publishes an OpenAPI 3.1 document describing every route', async () => {
    const { url } = await start();
    const doc = (await (await fetch(`${url}/api/openapi.json`)).json()) as {
      openapi: string;
      info: { version: string };
      paths: Record<
        string,
        Record<string, { operationId: string; parameters: { name: string }[] }>
      >;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('1.2.3');
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/notes', '/api/notes/{id}']);
    expect(doc.paths['/api/notes/{id}']?.get?.operationId).toBe('getNotesById');
    expect(doc.paths['/api/notes/{id}']?.get?.parameters.map((p) => p.name)).toEqual([
      'id',
      'verbose',
    ]);
  });

  it('validates bodies, and every answer matches the published document', async () => {
    const { url, openapi } = await start();
    const validate = createResponseValidator(openapi);
    const post = (body: string) =>
      fetch(`${url}/api/notes`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      });

    const created = await post(JSON.stringify({ text: 'hello', stars: 3 }));
    expect(created.status).toBe(201);
    const createdBody = await created.json();
    expect(validate('post', '/api/notes', 201, createdBody)).toEqual([]);

    const invalid = await post(JSON.stringify({ text: '', stars: 9 }));
    expect(invalid.status).toBe(400);
    const invalidBody = (await invalid.json()) as { error: { code: string; message: string } };
    expect(invalidBody.error.code).toBe('validation_failed');
    expect(invalidBody.error.message).toContain('body.text');
    expect(invalidBody.error.message).toContain('body.stars');
    expect(validate('post', '/api/notes', 400, invalidBody)).toEqual([]);

    const garbled = await post('{not json');
    expect(garbled.status).toBe(400);
    expect(((await garbled.json()) as { error: { code: string } }).error.code).toBe(
      'invalid_input',
    );

    const huge = await post(JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024), stars: 1 }));
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe(
      'payload_too_large',
    );
  });

  it('authenticates before validating parameters', async () => {
    const { url, openapi } = await start();
    const validate = createResponseValidator(openapi);
    const anonymous = await fetch(`${url}/api/notes/bad-id`);
    expect(anonymous.status).toBe(401);
    const bad = await fetch(`${url}/api/notes/bad-id`, {
      headers: { Authorization: 'Bearer good' },
    });
    expect(bad.status).toBe(400);
    const good = await fetch(`${url}/api/notes/n7?verbose=yes`, {
      headers: { Authorization: 'Bearer good' },
    });
    expect(good.status).toBe(200);
    expect(validate('get', '/api/notes/{id}', 200, await good.json())).toEqual([]);
  });

  it('catches a response that does not match its schema', () => {
    const validate = createResponseValidator(
      createApp({ logger: pino({ level: 'silent' }), routes }).openapi,
    );
    expect(validate('post', '/api/notes', 201, { id: 'n1', text: 'x' })).not.toEqual([]);
  });
});
