import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KmsClient } from '../src/crypto/kms-key-wrapper.js';

/**
 * `local-kms` (Go module github.com/nsmithuk/local-kms, installed by scripts/setup-system.sh):
 * `VAULTMARK_LOCAL_KMS`, `local-kms` on PATH, or Go's bin directory. It enforces encryption
 * contexts on Decrypt and refuses a disabled key (`DisabledException`), as AWS KMS does.
 */
export function localKmsBinary(): string | undefined {
  const gopath = process.env.GOPATH ?? join(homedir(), 'go');
  const candidates = [
    process.env.VAULTMARK_LOCAL_KMS,
    ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'local-kms')),
    join(process.env.GOBIN ?? join(gopath, 'bin'), 'local-kms'),
  ];
  return candidates.find((p): p is string => !!p && existsSync(p));
}

/** A running local-kms on a loopback port, with a client for the vault and key administration. */
export interface LocalKms {
  endpoint: string;
  /** The client the vault uses (Encrypt/Decrypt). */
  client: KmsClient;
  createKey(): Promise<string>;
  disableKey(keyId: string): Promise<void>;
  enableKey(keyId: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * One call of the KMS JSON protocol (`X-Amz-Target: TrentService.<Action>`; binary fields in
 * base64). The runner's workers cannot load the AWS SDK (they resolve its ES build, which does
 * not load in Node), so tests speak the wire protocol; `test/kms-check.ts` runs the SDK client
 * against the same server in a plain Node process.
 */
// biome-ignore lint/suspicious/noExplicitAny: a JSON answer
async function call(endpoint: string, action: string, body: object): Promise<any> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `TrentService.${action}`,
    },
    body: JSON.stringify(body),
  });
  // Some actions (DisableKey, EnableKey) answer with an empty body.
  const raw = await res.text();
  const json = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
  if (!res.ok) {
    const type = String(json.__type ?? 'KMSError');
    throw Object.assign(new Error(String(json.message ?? json.Message ?? type)), {
      name: type.slice(type.lastIndexOf('#') + 1),
    });
  }
  return json;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** Starts local-kms with an empty store in a temporary directory. */
export async function startLocalKms(binary: string): Promise<LocalKms> {
  const dir = mkdtempSync(join(tmpdir(), 'local-kms-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child: ChildProcess = spawn(binary, [], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), KMS_DATA_PATH: dir },
    stdio: 'ignore',
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const createKey = async () => (await call(endpoint, 'CreateKey', {})).KeyMetadata.Arn as string;
  for (let i = 0; ; i++) {
    try {
      await createKey();
      break;
    } catch (error) {
      if (i >= 100 || child.exitCode !== null) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    endpoint,
    client: {
      async encrypt({ KeyId, Plaintext, EncryptionContext }) {
        const r = await call(endpoint, 'Encrypt', {
          KeyId,
          Plaintext: b64(Plaintext),
          EncryptionContext,
        });
        return { CiphertextBlob: Buffer.from(r.CiphertextBlob, 'base64') };
      },
      async decrypt({ KeyId, CiphertextBlob, EncryptionContext }) {
        const r = await call(endpoint, 'Decrypt', {
          KeyId,
          CiphertextBlob: b64(CiphertextBlob),
          EncryptionContext,
        });
        return { Plaintext: Buffer.from(r.Plaintext, 'base64') };
      },
    },
    createKey,
    disableKey: async (KeyId) => void (await call(endpoint, 'DisableKey', { KeyId })),
    enableKey: async (KeyId) => void (await call(endpoint, 'EnableKey', { KeyId })),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
