import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BlobStorage, type Database, openDatabase } from '@vaultmark/vault-core';
import pino from 'pino';
import { vi } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createVaultServer, type VaultServer } from '../src/vault-server.js';

// Server tests share two cores with the rest of the suite: allow for a loaded machine.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

/** Engines the server suite runs on: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const engines: Array<'pglite' | 'postgres'> = process.env.TEST_DATABASE_URL
  ? ['pglite', 'postgres']
  : ['pglite'];

/** A fresh schema on the PostgreSQL test server, dropped by `drop()`. */
export async function postgresSchema(): Promise<{
  url: string;
  schema: string;
  drop(): Promise<void>;
}> {
  const url = process.env.TEST_DATABASE_URL as string;
  const schema = `s_${randomBytes(6).toString('hex')}`;
  const admin = await openDatabase({ url, poolMax: 1 });
  await admin.knex.raw(`CREATE SCHEMA ${schema}`);
  await admin.close();
  return {
    url,
    schema,
    async drop() {
      const db = await openDatabase({ url, poolMax: 1 });
      await db.knex.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await db.close();
    },
  };
}

/** A running server on real storage and a real database, and how to stop it. */
export interface TestServer {
  server: VaultServer;
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Starts the composed server on the embedded defaults in a temporary data directory (PGlite on
 * disk), or on a fresh PostgreSQL schema, with the in-process worker polling quickly.
 */
export async function startTestServer(
  engine: 'pglite' | 'postgres',
  options: {
    worker?: boolean;
    dataDir?: string;
    database?: Database;
    storage?: BlobStorage;
    /** Keep the server's rate limits (default: off, since every test client shares 127.0.0.1). */
    rateLimits?: boolean;
    /** Extra environment for the configuration (e.g. a shared `VAULTMARK_KEK_FILE`). */
    env?: Record<string, string>;
  } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'vaultmark-server-'));
  let database = options.database;
  let drop: (() => Promise<void>) | undefined;
  if (!database && engine === 'postgres') {
    const pg = await postgresSchema();
    database = await openDatabase({ url: pg.url, schema: pg.schema, poolMax: 4 });
    drop = pg.drop;
  }
  const config = loadConfig({ LOG_LEVEL: 'silent', ...options.env }, { dataDir, port: 0 });
  const server = await createVaultServer({
    config,
    ...(database ? { database } : {}),
    ...(options.storage ? { storage: options.storage } : {}),
    ...(options.rateLimits ? {} : { rateLimitStore: { hit: () => 1 } }),
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    worker: options.worker ?? true,
    workerIdleMs: 100,
  });
  const running = await server.listen(0);
  outboxes.set(running.url, join(dataDir, 'outbox'));
  // Share links and CSRF origin checks use the public base URL: point it at the real port.
  config.publicBaseUrl = running.url;
  return {
    server,
    url: running.url,
    dataDir,
    async stop() {
      await server.close(500);
      await drop?.();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The mail outbox of each running test server, by its URL. */
const outboxes = new Map<string, string>();

/**
 * The newest code mailed to `email` in an outbox (`.eml` files, named by time), waiting briefly
 * for it to arrive.
 */
export async function mailedCode(outbox: string, email: string, after = 0): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const names = existsSync(outbox) ? readdirSync(outbox).filter((n) => n.endsWith('.eml')) : [];
    const mails = names
      .sort()
      .slice(after)
      .map((name) => readFileSync(join(outbox, name), 'utf8'))
      .filter((text) => text.includes(`To: ${email.toLowerCase()}`));
    const code = /code is (\d{6})/.exec(mails.at(-1) ?? '')?.[1];
    if (code) return code;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no code mailed to ${email}`);
}

/** A tiny HTTP client that keeps cookies and sends the CSRF token, like the web pages do. */
/** Uploads a file as a track through the API as `client`; anything but 201 fails the test. */
export async function uploadTrack(client: Browserless, path: string, name: string) {
  const form = new FormData();
  form.set('file', new Blob([readFileSync(path)]), name);
  const { status, body } = await client.json<{ id: string; title: string }>(
    'POST',
    '/api/tracks',
    form,
  );
  if (status !== 201)
    throw new Error(`upload of ${name} answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

export class Browserless {
  cookies = new Map<string, string>();
  csrf: string | undefined;
  bearer: string | undefined;
  /** Sent as `X-Vaultmark-Organization` when set. */
  organization: string | undefined;
  /** The personal organization of the registered user. */
  organizationId: string | undefined;
  /** The server's mail outbox (default: the one of the test server at `base`). */
  readonly outbox: string | undefined;
  constructor(
    readonly base: string,
    outbox?: string,
  ) {
    this.outbox = outbox ?? outboxes.get(base);
  }

  async request(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.bearer) headers.Authorization = `Bearer ${this.bearer}`;
    else if (this.cookies.size) {
      headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    if (this.csrf && !this.bearer) headers['X-CSRF-Token'] = this.csrf;
    if (this.organization) headers['X-Vaultmark-Organization'] = this.organization;
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const response = await fetch(new URL(path, this.base), {
      method,
      headers,
      body: payload,
      redirect: 'manual',
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [name, ...value] = pair!.split('=');
      if (value.join('=') === '') this.cookies.delete(name!);
      else this.cookies.set(name!, value.join('='));
    }
    return response;
  }

  async json<T = Record<string, unknown>>(method: string, path: string, body?: unknown) {
    const response = await this.request(method, path, body);
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /**
   * Registers (asks for the code, reads it from the outbox, confirms it) and keeps the session
   * cookie and CSRF token.
   */
  async register(email: string, displayName = 'Tester', password = 'correct horse battery') {
    if (!this.outbox) throw new Error('register: this client knows no outbox');
    const asked = await this.json('POST', '/api/auth/register', { email, password, displayName });
    if (asked.status !== 202) throw new Error(`register: ${JSON.stringify(asked.body)}`);
    const code = await mailedCode(this.outbox, email);
    const answer = await this.json<{ csrfToken: string; userId: string; organizationId: string }>(
      'POST',
      '/api/auth/register/verify',
      { code },
    );
    if (answer.status !== 201) throw new Error(`register: ${JSON.stringify(answer.body)}`);
    this.csrf = answer.body.csrfToken;
    this.organizationId = answer.body.organizationId;
    return answer;
  }
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
