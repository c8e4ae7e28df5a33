/**
 * ASVS 5.0 V1 Encoding and Sanitization and V2 Validation and Business Logic. Generated from the
 * OpenAPI document: every string field of every JSON body, every query parameter and every path
 * parameter gets hostile input — NUL and the other C0 control characters and DEL, a lone
 * surrogate, a very long string, the wrong JSON type. Control characters answer 400
 * `validation_failed`; nothing answers 5xx; the server stays healthy. Then output encoding: what
 * users type is escaped in pages and cannot inject mail headers or query syntax.
 */
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  alternatives,
  buildWorld,
  CONTROL_CHARACTERS,
  expectError,
  fillPath,
  type JsonSchema,
  type Operation,
  paramValue,
  prepareServers,
  sampleBody,
  stringFields,
  type World,
  withField,
} from '../../test/adversary.js';
import { engines } from '../../test/vault-server.js';

const servers = await prepareServers();
const ops = servers.operations;

/** Whether a schema takes only fixed values (an enum): junk in it is refused by any parser. */
const fixed = (schema: JsonSchema) => alternatives(schema).every((s) => s.enum || s.const);

type BodyCase = [string, Operation, string[], unknown, 'control' | 'any4xx' | 'type' | 'no5xx'];
const bodyCases: BodyCase[] = ops.flatMap((op) =>
  op.json
    ? stringFields(op.json).flatMap(({ path, schema }): BodyCase[] => {
        const name = `${op.key} ${path.join('.')}`;
        const hostile: BodyCase[] = [
          ...CONTROL_CHARACTERS.filter(() => !fixed(schema)).map(
            ([label, c]): BodyCase => [`${name} with ${label}`, op, path, `a${c}b`, 'control'],
          ),
          // JSON can carry half a UTF-16 pair; the server may refuse it or store U+FFFD, never fail.
          [`${name} with a lone surrogate`, op, path, 'a\ud800b', 'no5xx'],
          [`${name} with 100 000 characters`, op, path, 'x'.repeat(100_000), 'any4xx'],
          [`${name} as a number`, op, path, 12_345, 'type'],
          [`${name} as an object`, op, path, { $gt: '' }, 'type'],
          [`${name} as an array`, op, path, ['a', 'b'], 'type'],
          [`${name} as a boolean`, op, path, true, 'type'],
        ];
        return hostile;
      })
    : [],
);

type QueryCase = [string, Operation, string, string, 'control' | 'any4xx'];
const queryCases: QueryCase[] = ops.flatMap((op) =>
  op.query.flatMap(({ name, schema }): QueryCase[] => [
    ...CONTROL_CHARACTERS.filter(([label]) => /NUL|escape|delete/.test(label)).map(
      ([label, c]): QueryCase => [`${op.key} ?${name} with ${label}`, op, name, `1${c}`, 'control'],
    ),
    ...(fixed(schema)
      ? []
      : [
          [
            `${op.key} ?${name} with 10 000 characters`,
            op,
            name,
            '9'.repeat(10_000),
            'any4xx',
          ] as QueryCase,
        ]),
  ]),
);

type PathCase = [string, Operation, string, string, 'control' | 'any4xx'];
const pathCases: PathCase[] = ops.flatMap((op) =>
  op.params.flatMap((param): PathCase[] => [
    [`${op.key} {${param}} with NUL`, op, param, 'a\u0000b', 'control'],
    [`${op.key} {${param}} with U+001B (escape)`, op, param, 'a\u001bb', 'control'],
    [`${op.key} {${param}} with a traversal`, op, param, '../../../../etc/passwd', 'any4xx'],
  ]),
);

describe.each(engines)('V1/V2 validation and encoding on %s', (engine) => {
  let w: World;
  beforeAll(async () => {
    w = await buildWorld(engine, await servers.take(engine));
  });
  afterAll(async () => {
    await w?.t.stop();
  });

  /** The signed-in attacker for user routes, a fresh browser for public ones. */
  const caller = (op: Operation) => (op.auth === 'user' ? w.attacker.agent : new Agent(w.t.url));
  const ownPath = (op: Operation, override?: [string, string]) =>
    fillPath(op.path, (p) =>
      override && p === override[0] ? override[1] : paramValue(w.attacker.fx, op.path, p),
    );

  it.each(bodyCases)('%s', async (_name, op, path, value, expectation) => {
    const body = withField(sampleBody(op, w.attacker.fx), path, value);
    const answer = await caller(op).send(op.method, ownPath(op), { body });
    if (expectation === 'no5xx') {
      expect(answer.status, answer.text.slice(0, 200)).toBeLessThan(500);
    } else if (expectation === 'any4xx') {
      expect(answer.status, answer.text.slice(0, 200)).toBeGreaterThanOrEqual(400);
      expectError(answer, [400, 401, 403, 404, 409, 413, 415, 422, 429]);
    } else {
      expectError(answer, 400, 'validation_failed');
      // Refused for the hostile field, not for something else in the body.
      const field = path.filter((key) => !/^\d+$/.test(key)).at(-1)!;
      expect(answer.body.error.message).toContain(field);
    }
  });

  it.each(queryCases)('%s', async (_name, op, name, value, expectation) => {
    const path = `${ownPath(op)}?${new URLSearchParams({ [name]: value })}`;
    const answer = await caller(op).send(op.method, path);
    if (expectation === 'any4xx') expectError(answer, [400, 404, 413, 414, 431]);
    else expectError(answer, 400, 'validation_failed');
  });

  it.each(pathCases)('%s', async (_name, op, param, value, expectation) => {
    const path = ownPath(op, [param, value]);
    const answer = await caller(op).send(op.method, path, op.json ? { body: sampleBody(op) } : {});
    if (expectation === 'any4xx') {
      expect(answer.status, answer.text.slice(0, 200)).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
    } else {
      expectError(answer, 400, 'validation_failed');
    }
  });

  it('every sample body the hostile cases start from is valid by the published schema', () => {
    // Otherwise a hostile case could pass on a 400 earned by another field.
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const invalid = ops
      .filter((op) => op.json)
      .flatMap((op) => {
        const check = ajv.compile(op.json!);
        return check(sampleBody(op, w.attacker.fx))
          ? []
          : [`${op.key}: ${ajv.errorsText(check.errors)}`];
      });
    expect(invalid).toEqual([]);
  });

  it('is healthy after every hostile input, and stored nothing hostile', async () => {
    expect((await new Agent(w.t.url).send('GET', '/readyz')).status).toBe(200);
    const tracks = await w.attacker.agent.send('GET', '/api/tracks');
    expect(tracks.status).toBe(200);
    const folders = await w.attacker.agent.send('GET', '/api/folders');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the check
    const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
    expect(JSON.stringify(tracks.body)).not.toMatch(control);
    expect(JSON.stringify(folders.body)).not.toMatch(/\\u000[0-8bc]|\\u001[0-9a-f]|\\u007f/);
  });

  it.each([
    ['an organization that is not a UUID', { 'X-Vaultmark-Organization': 'not-a-uuid' }],
    ['an organization with SQL', { 'X-Vaultmark-Organization': "' OR '1'='1" }],
    ['an organization of 5 000 characters', { 'X-Vaultmark-Organization': 'o'.repeat(5000) }],
    ['a bearer token of 10 000 characters', { Authorization: `Bearer ${'t'.repeat(10_000)}` }],
    ['a Basic authorization', { Authorization: 'Basic dXNlcjpwYXNz' }],
    ['an authorization scheme alone', { Authorization: 'Bearer' }],
    ['a guest token of 5 000 characters', { 'X-Vaultmark-Guest-Token': 'g'.repeat(5000) }],
    ['a forwarded address of junk (no trusted proxy)', { 'X-Forwarded-For': "'; DROP--" }],
  ])('a header with %s answers 4xx or is ignored, never 5xx', async (_name, headers) => {
    for (const path of ['/api/tracks', '/api/guest/tracks', '/api/auth/me']) {
      const answer = await w.attacker.agent.send('GET', path, { headers });
      expect(answer.status, `${path}: ${answer.text.slice(0, 200)}`).toBeLessThan(500);
    }
  });

  it.each([
    ['NUL', 'password=a%00b'],
    ['U+001B (escape)', 'password=a%1Bb'],
    ['a broken percent-encoding', 'password=%E0%A4%A'],
    ['a field of 20 000 bytes', `password=${'p'.repeat(20_000)}`],
    ['no password field', 'other=x'],
  ])('the share password form with %s answers 4xx, never 5xx', async (_name, form) => {
    const answer = await fetch(`${w.t.url}/s/${w.attacker.fx.shareToken}/unlock`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form,
      redirect: 'manual',
    });
    // The attacker's share has no password: the form may say so or refuse the input; the
    // grant is never given and nothing fails.
    expect(answer.status).toBeLessThan(500);
    expect(answer.headers.getSetCookie().join(';')).not.toContain('vaultmark_grant');
  });

  describe('search input is data, never query syntax', () => {
    it.each([
      ['a quote', "'"],
      ['a tautology', "' OR '1'='1"],
      ['a LIKE wildcard', '%'],
      ['a single-character wildcard', '_'],
      ['a backslash', '\\'],
      ['a statement', '"; DROP TABLE tracks; --'],
      ['a placeholder', '$1'],
      ['a template', '{{7*7}}'],
      ['a regular expression', '.*'],
    ])('q with %s finds nothing and fails nothing', async (_name, q) => {
      for (const key of ['q', 'tag', 'key']) {
        const answer = await w.attacker.agent.send(
          'GET',
          `/api/tracks?${new URLSearchParams({ [key]: q })}`,
        );
        // A filter may refuse what cannot be a value of it (a key of 30 characters); it never
        // fails, and never matches.
        expect([200, 400], `${key}=${q}`).toContain(answer.status);
        if (answer.status === 200) expect(answer.body.total, `${key}=${q}`).toBe(0);
      }
    });
  });

  describe('output encoding', () => {
    const XSS = '<img src=x onerror=alert(1)><script>alert(2)</script>"\'';

    it('escapes a display name in the owner pages', async () => {
      const agent = await w.newcomer('xss');
      const studio = await agent.send('POST', '/api/organizations', { body: { name: XSS } });
      agent.organization = studio.body.id;
      for (const page of ['/library', '/account', '/shares']) {
        const answer = await agent.send('GET', page);
        expect(answer.text, page).not.toContain('<script>alert(2)');
        expect(answer.text, page).not.toContain('<img src=x');
      }
    });

    it('escapes titles, notes and names on the recipient page', async () => {
      await w.attacker.agent.send('PATCH', `/api/tracks/${w.attacker.fx.trackId}`, {
        body: { title: `Title ${XSS}`, artist: `Artist ${XSS}` },
      });
      const created = await w.attacker.agent.send('POST', '/api/shares', {
        body: {
          title: `Share ${XSS}`,
          note: `Note ${XSS}`,
          trackIds: [w.attacker.fx.trackId],
          recipients: [{ name: `Name ${XSS}`, email: 'xss@example.com', company: XSS }],
        },
      });
      expect(created.status).toBe(201);
      const page = await fetch(created.body.links[0].url);
      const text = await page.text();
      expect(text).not.toContain('<script>alert(2)');
      expect(text).not.toContain('<img src=x');
      expect(text).toContain('&lt;script&gt;');
    });

    it('keeps a line break in a recipient email out of the mail headers', async () => {
      const created = await w.attacker.agent.send('POST', '/api/shares', {
        body: {
          trackIds: [w.attacker.fx.trackId],
          recipients: [
            {
              name: 'Inject\r\nBcc: spy@evil.example',
              email: 'mail@example.com\r\nBcc: spy@evil.example',
            },
          ],
          notify: true,
        },
      });
      expect(created.status).toBeLessThan(500);
      const { readdirSync, readFileSync } = await import('node:fs');
      const dir = `${w.t.dataDir}/outbox`;
      for (const name of readdirSync(dir).filter((n) => n.endsWith('.eml'))) {
        const headers = readFileSync(`${dir}/${name}`, 'utf8').split('\r\n\r\n')[0]!;
        expect(headers).not.toMatch(/^Bcc:/im);
      }
    });

    it('never reflects input into an error message as markup', async () => {
      const answer = await w.attacker.agent.send('GET', `/api/tracks/${encodeURIComponent(XSS)}`);
      expect(answer.headers.get('content-type')).toMatch(/application\/json/);
      expect(answer.text).not.toContain('<script>');
    });
  });
});
