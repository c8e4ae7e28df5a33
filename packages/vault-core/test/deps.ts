import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { register, resolveActor } from '../src/accounts/accounts.js';
import { ManualClock } from '../src/clock.js';
import { KeyRing } from '../src/crypto/data-keys.js';
import { LocalKek } from '../src/crypto/key-wrapper.js';
import { withTenant } from '../src/db/transactions.js';
import { DEFAULT_SESSION_POLICY, type VaultDeps } from '../src/deps.js';
import { OutboxMailer } from '../src/mail/mailer.js';
import type { Actor } from '../src/policies.js';
import { LocalStorage } from '../src/storage/local-storage.js';
import { testDatabase } from './database.js';

/** Ports for use-case tests: a fresh database, a temporary local store, a fixed KEK, a manual clock. */
export interface TestDeps extends VaultDeps {
  clock: ManualClock;
  /** Directory the test mailer writes `.eml` files to. */
  outbox: string;
  close(): Promise<void>;
}

/** Builds {@link TestDeps} on an engine. */
export async function testDeps(engine: 'pglite' | 'postgres'): Promise<TestDeps> {
  const db = await testDatabase(engine);
  const root = mkdtempSync(join(tmpdir(), 'vm-deps-'));
  const kek = new LocalKek(Buffer.alloc(32, 0x42));
  return {
    db,
    clock: new ManualClock('2026-03-01T10:00:00Z'),
    storage: new LocalStorage(join(root, 'blobs')),
    keys: new KeyRing(kek),
    auditSigner: { keyId: 'test-audit', secret: kek.deriveSecret('audit-checkpoint') },
    sessions: DEFAULT_SESSION_POLICY,
    mailer: new OutboxMailer(join(root, 'outbox')),
    outbox: join(root, 'outbox'),
    async close() {
      await db.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Registers a user and returns the owner actor of their personal organization. */
export async function ownerActor(deps: TestDeps, name: string): Promise<Actor> {
  const reg = await register(deps, {
    email: `${name}@example.org`,
    password: `password-of-${name}`,
    displayName: name,
  });
  return resolveActor(deps, reg.userId, reg.organizationId);
}

/** Audit actions recorded for a tenant, oldest first. */
export async function auditActions(deps: TestDeps, tenantId: string): Promise<string[]> {
  const rows = await withTenant(deps.db, tenantId, (tx) =>
    tx('audit_events').orderBy('seq').select('action'),
  );
  return rows.map((r) => r.action as string);
}

/**
 * Registers `beforeAll`/`afterAll` hooks that open and close {@link TestDeps} on an engine and
 * returns a stand-in that forwards to them once open.
 */
export function useTestDeps(engine: 'pglite' | 'postgres'): TestDeps {
  let deps: TestDeps | undefined;
  beforeAll(async () => {
    deps = await testDeps(engine);
  });
  afterAll(async () => {
    await deps?.close();
  });
  return new Proxy({} as TestDeps, {
    get(_t, prop) {
      if (!deps) throw new Error('test dependencies are not open yet');
      return deps[prop as keyof TestDeps];
    },
  });
}
