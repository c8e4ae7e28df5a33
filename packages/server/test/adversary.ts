import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { totpNow } from './totp.js';
import { eventually, startTestServer, type TestServer } from './vault-server.js';

/**
 * Shared fixtures of the adversarial suite (`src/security/`): an HTTP agent that can send any
 * header, the mail outbox, sign-up and sign-in that follow the server's protocol, the operations
 * of the published OpenAPI document, and a "world" of two tenants with one of everything.
 */

/** The password every fixture account uses. */
export const PASSWORD = 'correct horse battery staple';

/** A JSON value as received: the assertions that read it are its type check. */
// biome-ignore lint/suspicious/noExplicitAny: answers of every route pass through one client
export type Loose = any;

/** One HTTP answer, read completely. */
export interface Answer<T = Loose> {
  status: number;
  headers: Headers;
  bytes: Buffer;
  text: string;
  /** The JSON body, or undefined when the body is not JSON. */
  body: T;
  /** Raw `Set-Cookie` header values. */
  setCookies: string[];
}

/** Options of one request. */
export interface SendOptions {
  /** A JSON value (sent as JSON), `FormData`, or a raw string/Buffer with `headers` saying what. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the CSRF token (default: when the agent has one and uses its cookie). */
  csrf?: boolean;
  /** Send the cookies (default true). */
  cookies?: boolean;
}

/**
 * An HTTP client that keeps cookies like a browser, sends the CSRF token like the pages do, and
 * lets a test add or leave out any header.
 */
export class Agent {
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;
  bearer: string | undefined;
  /** Sent as `X-Vaultmark-Organization` when set. */
  organization: string | undefined;
  userId: string | undefined;
  organizationId: string | undefined;
  email = '';
  password = PASSWORD;

  constructor(readonly base: string) {}

  /** The session cookie's value, whatever its name (`__Host-` over TLS). */
  get session(): string | undefined {
    for (const [name, value] of this.cookies) if (name.endsWith('vaultmark_session')) return value;
    return undefined;
  }

  async send<T = Loose>(
    method: string,
    path: string,
    options: SendOptions = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.bearer) headers.Authorization = `Bearer ${this.bearer}`;
    if ((options.cookies ?? true) && this.cookies.size) {
      headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    if ((options.csrf ?? true) && this.csrf && !this.bearer) headers['X-CSRF-Token'] = this.csrf;
    if (this.organization) headers['X-Vaultmark-Organization'] = this.organization;
    let payload: BodyInit | undefined;
    const { body } = options;
    if (body instanceof FormData || typeof body === 'string' || Buffer.isBuffer(body)) {
      payload = body as BodyInit;
    } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    Object.assign(headers, options.headers);
    const response = await fetch(new URL(path, this.base), {
      method,
      headers,
      body: payload,
      redirect: 'manual',
    });
    const setCookies = response.headers.getSetCookie();
    for (const cookie of setCookies) {
      const [pair] = cookie.split(';');
      const [name, ...value] = pair!.split('=');
      if (value.join('=') === '') this.cookies.delete(name!);
      else this.cookies.set(name!, value.join('='));
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    const text = bytes.toString('utf8');
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return {
      status: response.status,
      headers: response.headers,
      bytes,
      text,
      body: parsed as T,
      setCookies,
    };
  }

  /** Takes the account (email and password) of `other`, for signing in as it; returns itself. */
  withEmail(other: Agent): this {
    this.email = other.email;
    this.password = other.password;
    return this;
  }

  /** A copy with the same cookies and tokens (another tab of the same browser). */
  clone(): Agent {
    const copy = new Agent(this.base);
    for (const [k, v] of this.cookies) copy.cookies.set(k, v);
    Object.assign(copy, {
      csrf: this.csrf,
      bearer: this.bearer,
      organization: this.organization,
      userId: this.userId,
      organizationId: this.organizationId,
      email: this.email,
      password: this.password,
    });
    return copy;
  }
}

/** The mail outbox of a server (`<dataDir>/outbox`, one `.eml` file per message). */
export class Outbox {
  private readonly seen = new Set<string>();
  constructor(readonly dir: string) {}

  /** Every message to `to`, oldest first, as text. */
  all(to: string): { name: string; text: string }[] {
    if (!existsSync(this.dir)) return [];
    const wanted = `to: ${to.toLowerCase()}`;
    return readdirSync(this.dir)
      .filter((name) => name.endsWith('.eml') && !name.startsWith('.'))
      .sort()
      .map((name) => ({ name, text: readFileSync(join(this.dir, name), 'utf8') }))
      .filter((m) => m.text.split('\r\n').some((line) => line.toLowerCase() === wanted));
  }

  /** Forgets nothing, but marks every current message to `to` as read. */
  skip(to: string): void {
    for (const m of this.all(to)) this.seen.add(m.name);
  }

  /** Waits for the next unread message to `to` and marks it read. */
  async next(to: string, timeoutMs = 15_000): Promise<string> {
    const message = await eventually(async () => {
      return this.all(to).find((m) => !this.seen.has(m.name));
    }, timeoutMs);
    this.seen.add(message.name);
    return message.text;
  }

  /** The 6-digit code in a message body, if any. */
  static code(text: string): string | undefined {
    const body = text.split('\r\n\r\n').slice(1).join('\n');
    return /\b(\d{6})\b/.exec(body)?.[1];
  }
}

/**
 * Creates an account and keeps its session. Follows whichever protocol the server speaks:
 * one step (201 with a session) or two (202, then the emailed code to `/register/verify` in the
 * same cookie jar).
 */
export async function signUp(
  agent: Agent,
  outbox: Outbox,
  email: string,
  displayName = 'Tester',
  password = PASSWORD,
): Promise<Agent> {
  outbox.skip(email);
  const asked = await agent.send('POST', '/api/auth/register', {
    body: { email, password, displayName },
  });
  let signedIn = asked;
  if (asked.status === 202) {
    const code = Outbox.code(await outbox.next(email));
    if (!code) throw new Error(`sign-up of ${email}: no code in the email`);
    signedIn = await agent.send('POST', '/api/auth/register/verify', { body: { code } });
  }
  if (signedIn.status !== 201) {
    throw new Error(`sign-up of ${email}: ${signedIn.status} ${signedIn.text}`);
  }
  agent.csrf = signedIn.body.csrfToken;
  agent.userId = signedIn.body.userId;
  agent.organizationId = signedIn.body.organizationId;
  agent.email = email;
  agent.password = password;
  return agent;
}

/** Signs in with the password (and a second factor when given); keeps the new CSRF token. */
export async function signIn(
  agent: Agent,
  extra: { totp?: string; password?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const answer = await agent.send('POST', '/api/auth/login', {
    body: {
      email: agent.email,
      password: extra.password ?? agent.password,
      ...(extra.totp ? { totp: extra.totp } : {}),
    },
    ...(extra.headers ? { headers: extra.headers } : {}),
  });
  if (answer.status === 200) agent.csrf = answer.body.csrfToken;
  return answer;
}

/** An API token of `agent`'s account (created with its password), as a bearer agent. */
export async function bearerOf(agent: Agent): Promise<Agent> {
  const issued = await agent.send('POST', '/api/auth/tokens', {
    body: { password: agent.password },
  });
  expect(issued.status, issued.text).toBe(201);
  const bearer = new Agent(agent.base);
  bearer.bearer = issued.body.token;
  return bearer;
}

/** Two-factor sign-in turned on: the secret, the recovery codes, the session it started. */
export interface SecondFactor {
  secret: string;
  recoveryCodes: string[];
}

/**
 * Turns TOTP on for the agent's account (enrol + confirm with the current code). The server
 * accepts each time step once, so the next good code is {@link nextTotp}.
 */
export async function enableTotp(agent: Agent): Promise<SecondFactor> {
  const enrolled = await agent.send('POST', '/api/auth/totp/enroll');
  expect(enrolled.status, enrolled.text).toBe(200);
  const secret = enrolled.body.secret as string;
  const confirmed = await agent.send('POST', '/api/auth/totp/confirm', {
    body: { code: totpNow(secret) },
  });
  expect(confirmed.status, confirmed.text).toBe(200);
  agent.csrf = confirmed.body.csrfToken;
  return { secret, recoveryCodes: confirmed.body.recoveryCodes };
}

/** A code of the next time step: valid once after enrolment (one step of drift is allowed). */
export function nextTotp(secret: string): string {
  return totpNow(secret, Date.now() + 30_000);
}

/** A code that is not the account's (a valid-looking 6 digits). */
export function wrongTotp(secret: string): string {
  const right = new Set([-30_000, 0, 30_000, 60_000].map((d) => totpNow(secret, Date.now() + d)));
  for (let n = 123_456; ; n++) {
    const code = String(n % 1_000_000).padStart(6, '0');
    if (!right.has(code)) return code;
  }
}

// ---------------------------------------------------------------------------------------------
// Audio

/**
 * A valid 16-bit mono WAV of white noise from a seed. Noise, not a tone, so any 64-byte window of
 * it is unique: finding one on disk means the plaintext was written there.
 */
export function noiseWav(seconds: number, seed = 1, rate = 22_050): Buffer<ArrayBuffer> {
  const samples = Math.round(seconds * rate);
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVE', 8);
  wav.write('fmt ', 12);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(samples * 2, 40);
  // xorshift32: deterministic, and different for every seed.
  let x = (seed * 2_654_435_761) >>> 0 || 1;
  for (let i = 0; i < samples; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    wav.writeInt16LE(((x & 0xffff) - 32_768) >> 2, 44 + i * 2);
  }
  return wav;
}

/**
 * Container signatures that must never appear in spool or upload files (plaintext audio). `ID3`
 * counts only at the start of a file: three bytes turn up by chance in a megabyte of ciphertext.
 */
export const AUDIO_MAGIC = ['RIFF', 'WAVE', 'fLaC'].map((s) => Buffer.from(s));
const ID3 = Buffer.from('ID3');

/**
 * Files under `dir` (recursively, skipping `skip` names) that hold plaintext of `payload`: an
 * audio signature, or any of a few 64-byte windows of the payload's samples.
 */
export function plaintextFiles(
  dir: string,
  payload: Buffer,
  options: { skip?: string[]; magic?: boolean } = {},
): string[] {
  const windows: Buffer[] = [];
  for (let at = 44; at + 64 <= payload.length && windows.length < 64; at += 4093) {
    windows.push(payload.subarray(at, at + 64));
  }
  const found: string[] = [];
  const walk = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path)) {
        if (!(options.skip ?? []).includes(name)) walk(join(path, name));
      }
      return;
    }
    if (!stat.isFile() || stat.size === 0) return;
    const bytes = readFileSync(path);
    const magic =
      (options.magic ?? true) &&
      (AUDIO_MAGIC.some((m) => bytes.includes(m)) || bytes.subarray(0, 3).equals(ID3));
    if (magic || windows.some((w) => bytes.includes(w))) found.push(path);
  };
  walk(dir);
  return found;
}

/** Every file under `dir`, recursively, relative. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

// ---------------------------------------------------------------------------------------------
// The published API

/** A JSON Schema fragment as the OpenAPI document publishes it. */
export type JsonSchema = {
  type?: string | string[];
  format?: string;
  pattern?: string;
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  additionalProperties?: unknown;
};

/** One operation of the OpenAPI document, in the shape the suite attacks. */
export interface Operation {
  /** `POST /api/tracks/{id}/versions` */
  key: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path template, with `{param}` placeholders. */
  path: string;
  auth: 'user' | 'public';
  params: string[];
  query: { name: string; required: boolean; schema: JsonSchema }[];
  /** The JSON request body's schema, when it takes one. */
  json?: JsonSchema;
  /** The non-JSON request body's content type (multipart uploads, the share password form). */
  rawContentType?: string;
  /** Binary fields of a multipart body. */
  files: string[];
}

/** Reads the server's OpenAPI document into operations. */
export async function discover(url: string): Promise<Operation[]> {
  const doc = (await (await fetch(`${url}/api/openapi.json`)).json()) as {
    paths: Record<string, Record<string, Loose>>;
  };
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const content = (op.requestBody?.content ?? {}) as Record<string, { schema?: JsonSchema }>;
      const json = content['application/json']?.schema;
      const raw = Object.keys(content).find((type) => type !== 'application/json');
      const parameters = (op.parameters ?? []) as {
        name: string;
        in: string;
        required?: boolean;
        schema: JsonSchema;
      }[];
      operations.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase() as Operation['method'],
        path,
        auth: (op.security ?? []).length > 0 ? 'user' : 'public',
        params: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, required: p.required ?? false, schema: p.schema })),
        ...(json ? { json } : {}),
        ...(raw ? { rawContentType: raw } : {}),
        files: Object.keys(
          (raw ? (content[raw]?.schema?.properties ?? {}) : {}) as Record<string, unknown>,
        ),
      });
    }
  }
  return operations;
}

/** The ids of one tenant's things, for filling path parameters and bodies. */
export interface Fixtures {
  userId: string;
  organizationId: string;
  email: string;
  trackId: string;
  trackTitle: string;
  folderId: string;
  folderName: string;
  shareId: string;
  shareTitle: string;
  recipientId: string;
  recipientEmail: string;
  shareToken: string;
  guestTokenId: string;
  guestLabel: string;
  investigationId: string;
  sessionId: string;
  /** A comment on the track and a guest reviewer's invitation. */
  commentId?: string;
  guestInvitationId?: string;
  /** An invitation addressed to this user (when the server has invitations). */
  invitationId?: string;
  /** An open invitation this tenant's organization sent (when the server has invitations). */
  sentInvitationId?: string;
  /** A recording session and one of its participants. */
  recordingSessionId?: string;
  participantId?: string;
}

/**
 * The fixture value of a path parameter: by parameter name, and for `id` by the collection the
 * path names. Undefined for a parameter the suite does not know yet (a new route): the test
 * "every path parameter has a fixture" then names it.
 */
export function paramValue(fx: Fixtures, path: string, param: string): string | undefined {
  if (param === 'trackId') return fx.trackId;
  if (param === 'recipientId') return fx.recipientId;
  if (param === 'token') return fx.shareToken;
  if (param === 'name') return 'drums';
  if (param === 'participantId') return fx.participantId;
  // The collection is what the path names before the parameter: `account/sessions`, ...
  const segments = path.split('/');
  const collection = segments.slice(2, segments.indexOf(`{${param}}`)).join('/');
  const byCollection: Record<string, string | undefined> = {
    tracks: fx.trackId,
    folders: fx.folderId,
    shares: fx.shareId,
    investigations: fx.investigationId,
    'guest-tokens': fx.guestTokenId,
    comments: fx.commentId,
    'guest-invitations': fx.guestInvitationId,
    'account/sessions': fx.sessionId,
    'organization/members': fx.userId,
    invitations: fx.invitationId,
    'organization/invitations': fx.sentInvitationId,
    'recording-sessions': fx.recordingSessionId,
  };
  return byCollection[collection];
}

/** Fills a path template; unknown parameters get `fallback`. */
export function fillPath(
  path: string,
  value: (param: string) => string | undefined,
  fallback: string = randomUUID(),
): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) =>
    encodeURIComponent(value(name) ?? fallback),
  );
}

/** Non-null alternatives of a schema (zod publishes `.nullable()` as `anyOf [..., null]`). */
export function alternatives(schema: JsonSchema): JsonSchema[] {
  const options = schema.anyOf ?? schema.oneOf;
  if (!options) return [schema];
  return options.filter((o) => o.type !== 'null').flatMap(alternatives);
}

/** A string field any text may go into (no format, pattern or enum to refuse junk first). */
export function isFreeText(schema: JsonSchema): boolean {
  const [first] = alternatives(schema);
  return (
    !!first &&
    first.type === 'string' &&
    !first.format &&
    !first.pattern &&
    !first.enum &&
    first.const === undefined
  );
}

/**
 * A value the schema accepts, taken from the fixtures where the field names a thing (so the
 * request gets past validation to the authorization and business checks). Passwords are wrong
 * ones: an adversarial request must never change a credential by accident.
 */
export function sampleValue(schema: JsonSchema, name: string, fx?: Fixtures): unknown {
  const [s] = alternatives(schema);
  if (!s) return null;
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'string': {
      if (s.format === 'uuid') {
        if (/^trackIds?$/.test(name)) return fx?.trackId ?? randomUUID();
        if (/^(folderId|parentId)$/.test(name)) return fx?.folderId ?? randomUUID();
        if (name === 'recipientId') return fx?.recipientId ?? randomUUID();
        return randomUUID();
      }
      if (s.format === 'date-time') return new Date(Date.now() + 3 * 86_400_000).toISOString();
      if (s.format === 'email' || /email/i.test(name)) return `someone-${name}@example.com`;
      if (s.pattern === '^\\d{6}$') return '000000';
      if (s.pattern === '^[A-Za-z0-9_-]{16,200}$') return 'sample-link-token-000000';
      if (/password|passphrase/i.test(name)) return 'not the right password at all';
      const length = Math.max(s.minLength ?? 1, 1);
      return 'sample text'.padEnd(length, 'x').slice(0, Math.max(length, s.maxLength ?? length));
    }
    case 'integer':
    case 'number':
      return s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
    case 'boolean':
      return false;
    case 'array': {
      const item = sampleValue(s.items ?? {}, name, fx);
      return Array.from({ length: Math.max(s.minItems ?? 1, 1) }, () => item);
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of s.required ?? []) {
        out[key] = sampleValue(s.properties?.[key] ?? {}, key, fx);
      }
      return out;
    }
    default:
      return 'sample';
  }
}

/** Bodies that need more than the required fields to be valid (cross-field rules). */
const BODY_EXTRAS: Record<string, (fx?: Fixtures) => Record<string, unknown>> = {
  'POST /api/guest-tokens': (fx) => ({ trackId: fx?.trackId ?? randomUUID() }),
  'POST /api/notifications/read': () => ({ ids: [randomUUID()] }),
};

/** A valid JSON body for an operation. */
export function sampleBody(op: Operation, fx?: Fixtures): Record<string, unknown> | undefined {
  if (!op.json) return undefined;
  return {
    ...(sampleValue(op.json, '', fx) as Record<string, unknown>),
    ...BODY_EXTRAS[op.key]?.(fx),
  };
}

/** A multipart body with a small WAV in every file field. */
export function sampleForm(op: Operation): FormData {
  const form = new FormData();
  for (const field of op.files) form.set(field, new Blob([noiseWav(0.2, 7)]), 'sample.wav');
  return form;
}

/** The request body an operation takes (JSON, multipart, or form-encoded), or none. */
export function sampleRequestBody(op: Operation, fx?: Fixtures): SendOptions {
  if (op.json) return { body: sampleBody(op, fx) };
  if (op.rawContentType === 'multipart/form-data') return { body: sampleForm(op) };
  if (op.rawContentType === 'application/x-www-form-urlencoded') {
    return {
      body: 'password=guess',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    };
  }
  return {};
}

/**
 * The string fields of a JSON body schema, as paths into the body (`recipients.0.name`), with
 * their schemas. Arrays are entered through their first element.
 */
export function stringFields(
  schema: JsonSchema,
  prefix: string[] = [],
): { path: string[]; schema: JsonSchema }[] {
  const [s] = alternatives(schema);
  if (!s) return [];
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  if (type === 'string') return [{ path: prefix, schema: s }];
  if (type === 'array' && s.items) return stringFields(s.items, [...prefix, '0']);
  if (type === 'object') {
    return Object.entries(s.properties ?? {}).flatMap(([key, child]) =>
      stringFields(child, [...prefix, key]),
    );
  }
  return [];
}

/** A deep copy of `body` with `value` at `path` (arrays created as needed). */
export function withField(body: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(body ?? {}) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    const nextIsIndex = /^\d+$/.test(path[i + 1]!);
    if (node[key] === undefined || typeof node[key] !== 'object' || node[key] === null) {
      node[key] = nextIsIndex ? [] : {};
    }
    node = node[key] as Record<string, unknown>;
  });
  return copy;
}

/**
 * Control characters the server must refuse in text (NUL, the C0 controls other than tab, line
 * feed and carriage return, and DEL): one from each run of the refused ranges, NUL and DEL.
 */
export const CONTROL_CHARACTERS: [string, string][] = [
  ['NUL', '\u0000'],
  ['U+0001', '\u0001'],
  ['U+000B (vertical tab)', '\u000b'],
  ['U+001B (escape)', '\u001b'],
  ['U+007F (delete)', '\u007f'],
];

// ---------------------------------------------------------------------------------------------
// A world of two tenants

/** A tenant of the world: its signed-in user and the ids of its things. */
export interface Tenant {
  agent: Agent;
  fx: Fixtures;
  /** A piece of text of each of its things, none of which may ever reach another tenant. */
  secrets: string[];
}

/** A running server with an outbox and two tenants, each with one thing of every kind. */
export interface World {
  t: TestServer;
  outbox: Outbox;
  victim: Tenant;
  attacker: Tenant;
  operations: Operation[];
  /** A fresh signed-up agent (a third party) with a unique email. */
  newcomer(label?: string): Promise<Agent>;
}

let unique = 0;
/** A unique email for this process. */
export function uniqueEmail(label: string): string {
  unique += 1;
  return `${label}-${unique}-${randomBytes(3).toString('hex')}@example.com`;
}

/**
 * Uploads a track (noise WAV). Its analysis runs as a job in the background: nothing the suite
 * attacks waits for it.
 */
export async function uploadTrack(agent: Agent, title: string, seed: number): Promise<string> {
  const form = new FormData();
  form.set('file', new Blob([noiseWav(1.5, seed)]), `${title}.wav`);
  const created = await agent.send('POST', '/api/tracks', { body: form });
  if (created.status !== 201) throw new Error(`upload: ${created.status} ${created.text}`);
  return created.body.id as string;
}

/** Builds a tenant with a track, a folder, a share, a guest token and an investigation. */
export async function buildTenant(t: TestServer, outbox: Outbox, label: string): Promise<Tenant> {
  const tag = `${label.toUpperCase()}-${randomBytes(4).toString('hex')}`;
  const email = uniqueEmail(label);
  const agent = await signUp(new Agent(t.url), outbox, email, `${tag} Person`);
  const trackTitle = `${tag} Unreleased Single`;
  const trackId = await uploadTrack(agent, trackTitle, label.length * 31 + 5);
  const folderName = `${tag} Album Folder`;
  const folder = await agent.send('POST', '/api/folders', { body: { name: folderName } });
  const shareTitle = `${tag} Promo Share`;
  const recipientEmail = `${tag.toLowerCase()}-recipient@example.com`;
  const share = await agent.send('POST', '/api/shares', {
    body: {
      title: shareTitle,
      trackIds: [trackId],
      recipients: [{ name: `${tag} Recipient`, email: recipientEmail }],
    },
  });
  if (share.status !== 201) throw new Error(`share: ${share.status} ${share.text}`);
  const guestLabel = `${tag} Guest Engineer`;
  const guest = await agent.send('POST', '/api/guest-tokens', {
    body: {
      label: guestLabel,
      trackId,
      expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    },
  });
  const found = new FormData();
  found.set('file', new Blob([noiseWav(1, 99)]), `${tag} found.wav`);
  const investigation = await agent.send('POST', '/api/investigations', { body: found });
  const sessions = await agent.send('GET', '/api/account/sessions');
  const comment = await agent.send('POST', `/api/tracks/${trackId}/comments`, {
    body: { body: `${tag} Comment`, atSeconds: 0.5 },
  });
  const invitation = await agent.send('POST', '/api/guest-invitations', {
    body: {
      name: `${tag} Guest Reviewer`,
      email: `${tag.toLowerCase()}-reviewer@example.com`,
      trackId,
      expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    },
  });
  const link = share.body.links[0] as { recipientId: string; url: string };
  const recording = await agent.send('POST', '/api/recording-sessions', {
    body: { title: `${tag} Recording Session` },
  });
  const participant = await agent.send(
    'POST',
    `/api/recording-sessions/${recording.body.id}/participants`,
    {
      body: {
        name: `${tag} Participant`,
        email: `${tag.toLowerCase()}-p@example.com`,
        role: 'guest',
      },
    },
  );
  const fx: Fixtures = {
    userId: agent.userId!,
    organizationId: agent.organizationId!,
    email,
    trackId,
    trackTitle,
    folderId: folder.body.id,
    folderName,
    shareId: share.body.id,
    shareTitle,
    recipientId: link.recipientId,
    recipientEmail,
    shareToken: new URL(link.url).pathname.split('/').pop()!,
    guestTokenId: guest.body.guestToken.id,
    guestLabel,
    commentId: comment.body.id,
    guestInvitationId: invitation.body.id,
    investigationId: investigation.body.id,
    sessionId: (sessions.body.items as { id: string; current: boolean }[]).find((s) => s.current)!
      .id,
    recordingSessionId: recording.body.id,
    participantId: participant.body.id,
  };
  return { agent, fx, secrets: [tag, email, recipientEmail, trackId] };
}

// ---------------------------------------------------------------------------------------------
// Servers

/** The options of `startTestServer`. */
export type ServerOptions = Parameters<typeof startTestServer>[1];

/**
 * A hash of what shapes a fresh data directory (the vault's migrations, how the server opens its
 * vault): a directory made by other code is not reused.
 */
function templateKey(): string {
  const hash = createHash('sha256');
  const migrations = new URL('../../vault-core/src/db/migrations/', import.meta.url);
  for (const name of readdirSync(migrations).sort()) {
    hash.update(name).update(readFileSync(new URL(name, migrations)));
  }
  for (const file of [
    '../../vault-core/src/db/migration-source.ts',
    '../src/vault/open-configured-vault.ts',
    '../src/vault-server.ts',
  ]) {
    hash.update(readFileSync(new URL(file, import.meta.url)));
  }
  return hash.digest('hex').slice(0, 16);
}

let template: Promise<string> | undefined;

/**
 * A data directory as the embedded server leaves it after its first start (migrated database,
 * keys), made once per set of migrations and shared by the suite's files through the temporary
 * directory: a server started on a copy reopens its database instead of migrating a new one.
 */
function dataDirTemplate(): Promise<string> {
  template ??= (async () => {
    const dir = join(tmpdir(), `vaultmark-adversary-data-${templateKey()}`);
    if (existsSync(join(dir, '.complete'))) return dir;
    // Templates of older sources are of no more use (kept ten minutes for a run still on them).
    for (const name of readdirSync(tmpdir())) {
      const old = join(tmpdir(), name);
      if (!name.startsWith('vaultmark-adversary-data-') || old === dir) continue;
      if (Date.now() - statSync(old).mtimeMs > 10 * 60_000) {
        rmSync(old, { recursive: true, force: true });
      }
    }
    const building = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}`;
    const first = await startTestServer('pglite', { dataDir: building, worker: false });
    await first.stop();
    writeFileSync(join(building, '.complete'), '');
    try {
      renameSync(building, dir);
    } catch {
      // Another file of the suite made it first.
      rmSync(building, { recursive: true, force: true });
    }
    return dir;
  })();
  return template;
}

/** A new data directory (under `parent`, or a new temporary one) as a first start leaves it. */
export async function preparedDataDir(parent?: string): Promise<string> {
  const dataDir = parent ? join(parent, 'data') : mkdtempSync(join(tmpdir(), 'vaultmark-server-'));
  cpSync(await dataDirTemplate(), dataDir, { recursive: true });
  rmSync(join(dataDir, '.complete'));
  return dataDir;
}

/**
 * `startTestServer`, with the embedded (PGlite) engine started on a copy of a prepared data
 * directory: the same embedded server, without paying for migrations at every start.
 */
export async function startServer(
  engine: 'pglite' | 'postgres',
  options: ServerOptions = {},
): Promise<TestServer> {
  if (engine !== 'pglite' || options.dataDir || options.database) {
    return startTestServer(engine, options);
  }
  const dataDir = await preparedDataDir();
  const server = await startTestServer('pglite', { ...options, dataDir });
  return {
    ...server,
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The invitations `agent` has that are not in `before` (ids), newest last; empty when the server
 * has no invitations.
 */
export async function invitationIds(agent: Agent): Promise<string[]> {
  const list = await agent.send('GET', '/api/invitations');
  if (list.status !== 200) return [];
  return (list.body.items as { id: string }[]).map((i) => i.id);
}

/** Builds the world on a running server (or a new one for `engine`). */
export async function buildWorld(
  engine: 'pglite' | 'postgres',
  server?: TestServer,
  options: ServerOptions = {},
): Promise<World> {
  const t = server ?? (await startServer(engine, options));
  const outbox = new Outbox(join(t.dataDir, 'outbox'));
  const [victim, attacker] = [
    await buildTenant(t, outbox, 'victim'),
    await buildTenant(t, outbox, 'attacker'),
  ];
  const operations = await discover(t.url);
  const newcomer = (label = 'third') => signUp(new Agent(t.url), outbox, uniqueEmail(label));
  if (operations.some((op) => op.key === 'GET /api/invitations')) {
    // A third party's studio invites the victim: the victim's pending invitation is a thing of
    // the victim's that other users must not reach either.
    const inviter = await newcomer('studio');
    inviter.organization = (
      await inviter.send('POST', '/api/organizations', { body: { name: 'Third Party Studio' } })
    ).body.id;
    await inviter.send('PUT', '/api/organization/members', {
      body: { email: victim.fx.email, role: 'member' },
    });
    victim.fx.invitationId = (await invitationIds(victim.agent)).at(-1);
  }
  if (operations.some((op) => op.key === 'GET /api/organization/invitations')) {
    // A personal account has one member: the victim's open invitation is sent from a studio.
    const studio = victim.agent.clone();
    studio.organization = (
      await studio.send('POST', '/api/organizations', {
        body: { name: `${victim.secrets[0]} Studio` },
      })
    ).body.id;
    await studio.send('PUT', '/api/organization/members', {
      body: { email: uniqueEmail('invitee'), role: 'member' },
    });
    const sent = await studio.send('GET', '/api/organization/invitations');
    victim.fx.sentInvitationId = (sent.body?.items as { id: string }[] | undefined)?.at(-1)?.id;
  }
  return { t, outbox, victim, attacker, operations, newcomer };
}

/**
 * One server per engine for a test file, the first started while the file is collected so its
 * OpenAPI document can name the generated cases; `take(engine)` hands it over (or starts one).
 */
export async function prepareServers(
  options: ServerOptions = {},
): Promise<{ operations: Operation[]; take(engine: 'pglite' | 'postgres'): Promise<TestServer> }> {
  let first: TestServer | undefined = await startServer('pglite', options);
  const operations = await discover(first.url);
  // When a filter (`-t "on postgres"`) leaves the PGlite cases out, nobody takes it: stop it.
  afterAll(async () => {
    await first?.stop();
  });
  return {
    operations,
    async take(engine) {
      if (engine === 'pglite' && first) {
        const server = first;
        first = undefined;
        return server;
      }
      return startServer(engine, options);
    },
  };
}

/** Asserts an error body: the shared shape, the code, and nothing that looks like internals. */
export function expectError(answer: Answer, status: number | number[], code?: string): void {
  const statuses = Array.isArray(status) ? status : [status];
  expect(statuses, `${answer.status} ${answer.text.slice(0, 300)}`).toContain(answer.status);
  if (code) expect(answer.body?.error?.code, answer.text.slice(0, 300)).toBe(code);
  expect(answer.text).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d+|Error: /);
}
