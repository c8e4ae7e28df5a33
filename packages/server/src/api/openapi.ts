import { type ZodType, z } from 'zod';
import { ErrorBody } from './registry.js';
import type { RouteSpec } from './route.js';

/** An OpenAPI 3.1 document, as plain JSON. */
export type OpenApiDocument = Record<string, unknown> & {
  paths: Record<string, Record<string, unknown>>;
};

/**
 * Builds the OpenAPI 3.1 document from the declared routes. Every route also documents the shared
 * error body for its 4xx/5xx answers.
 */
export function buildOpenApi(
  routes: readonly RouteSpec[],
  info: { title: string; version: string; serverUrl?: string },
): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const operation: Record<string, unknown> = {
      summary: route.summary,
      operationId: operationId(route),
      tags: route.tags ?? [],
      security: route.auth === 'user' ? [{ session: [] }, { bearer: [] }] : [],
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      responses: Object.fromEntries([
        ...Object.entries(route.responses).map(([status, response]) => [
          status,
          {
            description: response.description,
            ...(response.schema
              ? {
                  content: {
                    'application/json': { schema: jsonSchema(response.schema, 'output') },
                  },
                }
              : response.contentType
                ? { content: { [response.contentType]: {} } }
                : {}),
          },
        ]),
        [
          'default',
          {
            description: 'error',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        ],
      ]),
    };
    if (route.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
      };
    }
    if (route.rawBody) {
      const fields = Object.entries(route.rawBody.fields ?? {});
      operation.requestBody = {
        required: true,
        description: route.rawBody.description,
        content: {
          [route.rawBody.contentType]: fields.length
            ? {
                schema: {
                  type: 'object',
                  properties: Object.fromEntries(
                    fields.map(([name, description]) => [
                      name,
                      { type: 'string', format: 'binary', description },
                    ]),
                  ),
                  required: fields.map(([name]) => name),
                },
              }
            : {},
        },
      };
    }
    paths[path] = { ...paths[path], [route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      schemas: { Error: jsonSchema(ErrorBody, 'output') },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'vaultmark_session' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
    },
  };
}

function jsonSchema(schema: ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
}

function parameters(schema: ZodType | undefined, where: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input') as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

function operationId(route: RouteSpec): string {
  const words = route.path
    .split('/')
    .filter((part) => part && part !== 'api')
    .map((part) => (part.startsWith(':') ? `by-${part.slice(1)}` : part));
  return [route.method, ...words]
    .join('-')
    .replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
