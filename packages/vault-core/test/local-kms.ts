import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KmsClient } from '../src/crypto/kms-key-wrapper.js';
import { freePort } from './free-port.js';

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

// biome-ignore lint/suspicious/noExplicitAny: a JSON answer, read field by field
type KmsAnswer = any;

/**
 * One call of the KMS JSON protocol (`X-Amz-Target: TrentService.<Action>`; binary fields in
 * base64). The runner's workers cannot load the AWS SDK (they resolve its ES build, which does
 * not load in Node), so tests speak the wire protocol; `test/kms-check.ts` runs the SDK client
 * against the same server in a plain Node process.
 */
async function call(
  endpoint: string,
  action: string,
  body: object,
  timeoutMs = 30_000,
): Promise<KmsAnswer> {
  const res = await fetch(endpoint, {
    method: 'POST',
    signal: AbortSignal.timeout(timeoutMs),
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

/**
 * Starts local-kms with an empty store in a temporary directory, on a port the kernel found free.
 * local-kms exits when its port was taken in between, so a start that exits is tried again on a
 * new port; the last attempt's error output is in the thrown error.
 */
export async function startLocalKms(binary: string): Promise<LocalKms> {
  const dir = mkdtempSync(join(tmpdir(), 'local-kms-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const started = await startOnce(binary, dir, await freePort());
    if (started.ok) return started.kms;
    lastError = started.error;
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

type Start = { ok: true; kms: LocalKms } | { ok: false; error: Error };

async function startOnce(binary: string, dir: string, port: number): Promise<Start> {
  const child: ChildProcess = spawn(binary, [], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), KMS_DATA_PATH: dir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const endpoint = `http://127.0.0.1:${port}`;
  const createKey = async (timeoutMs?: number) =>
    (await call(endpoint, 'CreateKey', {}, timeoutMs)).KeyMetadata.Arn as string;
  // Up to 30 s: a loaded machine can be slow to start a process. Each probe waits at most 2 s, so
  // something else that took the port and accepts without answering does not hold the start up.
  for (let i = 0; ; i++) {
    try {
      await createKey(2_000);
      break;
    } catch (error) {
      if (child.exitCode !== null || child.signalCode !== null) {
        await exited;
        const message = `local-kms exited (${child.exitCode ?? child.signalCode}) on port ${port}: ${stderr.trim()}`;
        return { ok: false, error: new Error(message, { cause: error }) };
      }
      if (i >= 300) {
        child.kill('SIGKILL');
        await exited;
        const message = `local-kms did not answer on port ${port} within 30 s: ${stderr.trim()}`;
        return { ok: false, error: new Error(message, { cause: error }) };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const kms: LocalKms = {
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
    createKey: () => createKey(),
    disableKey: async (KeyId) => void (await call(endpoint, 'DisableKey', { KeyId })),
    enableKey: async (KeyId) => void (await call(endpoint, 'EnableKey', { KeyId })),
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return { ok: true, kms };
}
