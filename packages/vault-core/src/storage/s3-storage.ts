import { Readable } from 'node:stream';
import { NotFoundError } from '../errors.js';
import type { BlobStorage } from './blob-storage.js';
import { assertStorageKey, assertStoragePrefix } from './storage-key.js';

/** S3-compatible object storage settings (AWS S3, Backblaze B2, MinIO, ...). */
export interface S3StorageConfig {
  bucket: string;
  region: string;
  /** Custom endpoint for S3-compatible stores, e.g. `https://s3.us-west-004.backblazeb2.com`. */
  endpoint?: string;
  /** Path-style addressing (`endpoint/bucket/key`), needed by most S3-compatible stores. */
  forcePathStyle?: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Prefix inside the bucket, e.g. `vaultmark/` (server-chosen, never user input). */
  prefix?: string;
  /**
   * Loads the SDK; default `import('@aws-sdk/client-s3')`. Processes started with
   * `--conditions module` (Vitest workers) resolve the SDK's bundler-only ESM build, which Node
   * cannot load; run S3 code there in a child process, or inject a bundled SDK here.
   */
  loadSdk?: () => Promise<S3Module>;
}

/** The `@aws-sdk/client-s3` module. */
export type S3Module = typeof import('@aws-sdk/client-s3');

/**
 * Blob storage on S3. The SDK is imported on first use, so deployments on local storage never
 * load it. Uploads stream through `PutObject` with a known length when the body is a buffer
 * and through a multipart upload in 8 MiB parts otherwise (aborted on failure).
 * Checksums are calculated only when required, which keeps streamed bodies compatible with
 * S3-compatible stores that do not understand the SDK's aws-chunked framing.
 */
export class S3Storage implements BlobStorage {
  private sdk: Promise<{ mod: S3Module; client: InstanceType<S3Module['S3Client']> }> | undefined;
  constructor(private readonly config: S3StorageConfig) {}

  private async s3() {
    this.sdk ??= (this.config.loadSdk ?? (() => import('@aws-sdk/client-s3')))().then((mod) => ({
      mod,
      client: new mod.S3Client({
        region: this.config.region,
        ...(this.config.endpoint ? { endpoint: this.config.endpoint } : {}),
        forcePathStyle: this.config.forcePathStyle ?? Boolean(this.config.endpoint),
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        ...(this.config.accessKeyId
          ? {
              credentials: {
                accessKeyId: this.config.accessKeyId,
                secretAccessKey: this.config.secretAccessKey ?? '',
              },
            }
          : {}),
      }),
    }));
    return this.sdk;
  }

  private objectKey(key: string): string {
    assertStorageKey(key);
    return `${this.config.prefix ?? ''}${key}`;
  }

  async put(key: string, body: Readable | Uint8Array): Promise<{ size: number }> {
    const Key = this.objectKey(key);
    const { mod, client } = await this.s3();
    // Buffer the body in parts of 8 MiB: one PutObject for small objects, multipart otherwise.
    const PART = 8 * 1024 * 1024;
    const source = body instanceof Uint8Array ? Readable.from([Buffer.from(body)]) : body;
    let pending: Buffer[] = [];
    let pendingSize = 0;
    let total = 0;
    let uploadId: string | undefined;
    const parts: Array<{ ETag: string | undefined; PartNumber: number }> = [];
    const flushPart = async () => {
      const chunk = Buffer.concat(pending);
      pending = [];
      pendingSize = 0;
      if (!uploadId) {
        const created = await client.send(
          new mod.CreateMultipartUploadCommand({ Bucket: this.config.bucket, Key }),
        );
        uploadId = created.UploadId;
      }
      const PartNumber = parts.length + 1;
      const r = await client.send(
        new mod.UploadPartCommand({
          Bucket: this.config.bucket,
          Key,
          UploadId: uploadId,
          PartNumber,
          Body: chunk,
        }),
      );
      parts.push({ ETag: r.ETag, PartNumber });
    };
    try {
      for await (const c of source) {
        const b = Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array);
        pending.push(b);
        pendingSize += b.length;
        total += b.length;
        if (pendingSize >= PART) await flushPart();
      }
      if (!uploadId) {
        await client.send(
          new mod.PutObjectCommand({
            Bucket: this.config.bucket,
            Key,
            Body: Buffer.concat(pending),
          }),
        );
      } else {
        if (pendingSize > 0) await flushPart();
        await client.send(
          new mod.CompleteMultipartUploadCommand({
            Bucket: this.config.bucket,
            Key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
          }),
        );
      }
      return { size: total };
    } catch (e) {
      if (uploadId) {
        await client
          .send(
            new mod.AbortMultipartUploadCommand({
              Bucket: this.config.bucket,
              Key,
              UploadId: uploadId,
            }),
          )
          .catch(() => undefined);
      }
      throw e;
    }
  }

  async get(key: string): Promise<Readable> {
    const Key = this.objectKey(key);
    const { mod, client } = await this.s3();
    try {
      const r = await client.send(new mod.GetObjectCommand({ Bucket: this.config.bucket, Key }));
      return r.Body as Readable;
    } catch (e) {
      if (isMissing(e)) throw new NotFoundError('object');
      throw e;
    }
  }

  async exists(key: string): Promise<boolean> {
    const Key = this.objectKey(key);
    const { mod, client } = await this.s3();
    try {
      await client.send(new mod.HeadObjectCommand({ Bucket: this.config.bucket, Key }));
      return true;
    } catch (e) {
      if (isMissing(e)) return false;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    const { mod, client } = await this.s3();
    await client.send(new mod.DeleteObjectCommand({ Bucket: this.config.bucket, Key }));
  }

  async *list(prefix: string): AsyncIterable<string> {
    assertStoragePrefix(prefix);
    const { mod, client } = await this.s3();
    const base = this.config.prefix ?? '';
    let ContinuationToken: string | undefined;
    do {
      const r = await client.send(
        new mod.ListObjectsV2Command({
          Bucket: this.config.bucket,
          Prefix: base + prefix,
          ContinuationToken,
        }),
      );
      for (const o of r.Contents ?? []) if (o.Key) yield o.Key.slice(base.length);
      ContinuationToken = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  /** Releases the HTTP connections of the SDK client. */
  async close(): Promise<void> {
    if (this.sdk) (await this.sdk).client.destroy();
  }
}

function isMissing(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    err?.name === 'NoSuchKey' || err?.name === 'NotFound' || err?.$metadata?.httpStatusCode === 404
  );
}
