import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { OpenApiDocument } from '../src/api/openapi.js';

/**
 * Validates a response body against the published OpenAPI document: the schema of the operation's
 * documented status, or the shared error schema (`default`) for other statuses. Returns the list
 * of problems (empty when valid).
 */
export function createResponseValidator(doc: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const components = (doc.components as { schemas: Record<string, unknown> }).schemas;
  return (method: string, path: string, status: number, body: unknown): string[] => {
    const operation = doc.paths[path]?.[method.toLowerCase()] as
      | { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }
      | undefined;
    if (!operation) return [`no operation ${method} ${path} in the document`];
    const response = operation.responses[String(status)] ?? operation.responses.default;
    const schema = response?.content?.['application/json']?.schema;
    if (!schema) return body === undefined || body === '' ? [] : [`no JSON schema for ${status}`];
    // Point component references at a local $defs block so the schema compiles on its own.
    const local = JSON.parse(
      JSON.stringify(schema).replace(/"#\/components\/schemas\/(\w+)"/g, (_m, name: string) =>
        JSON.stringify(`#/$defs/${name}`),
      ),
    );
    const check = ajv.compile({ ...local, $defs: components });
    return check(body) ? [] : (check.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}
