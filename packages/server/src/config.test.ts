import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to the embedded mode under ./vaultmark-data on 127.0.0.1:8080', () => {
    const config = loadConfig({}, { cwd: '/srv' });
    expect(config).toEqual({
      port: 8080,
      host: '127.0.0.1',
      dataDir: '/srv/vaultmark-data',
      publicBaseUrl: 'http://127.0.0.1:8080',
      trustProxy: false,
      kek: { kind: 'file', path: '/srv/vaultmark-data/keys/kek.key' },
      requestLogDir: '/srv/vaultmark-data/request-logs',
      serverSecretFile: '/srv/vaultmark-data/keys/server-secret.key',
      mailFrom: 'Vaultmark <no-reply@localhost>',
      maxUploadBytes: 2 * 1024 ** 3,
      logLevel: 'info',
    });
  });

  it('lets flags override the environment', () => {
    const config = loadConfig(
      { PORT: '9000', VAULTMARK_DATA: '/var/lib/vaultmark' },
      { port: 9100, dataDir: 'here', cwd: '/srv' },
    );
    expect(config.port).toBe(9100);
    expect(config.dataDir).toBe('/srv/here');
  });

  it('reads production settings', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app:pw@db:5432/vaultmark',
      PUBLIC_BASE_URL: 'https://vault.example.com/',
      TRUST_PROXY: 'true',
      S3_BUCKET: 'vault',
      S3_ENDPOINT: 'https://s3.eu-central-003.backblazeb2.com',
      S3_ACCESS_KEY_ID: 'id',
      S3_SECRET_ACCESS_KEY: 'secret',
      KMS_KEY_ID: 'arn:aws:kms:eu-central-1:1:key/x',
      SMTP_URL: 'smtps://user:pw@mail.example.com',
      MAX_UPLOAD_BYTES: '500MiB',
      LOG_LEVEL: 'warn',
    });
    expect(config.databaseUrl).toBe('postgres://app:pw@db:5432/vaultmark');
    expect(config.publicBaseUrl).toBe('https://vault.example.com');
    expect(config.trustProxy).toBe(true);
    expect(config.s3).toEqual({
      bucket: 'vault',
      region: 'us-east-1',
      endpoint: 'https://s3.eu-central-003.backblazeb2.com',
      forcePathStyle: true,
      accessKeyId: 'id',
      secretAccessKey: 'secret',
    });
    expect(config.kek).toEqual({
      kind: 'aws-kms',
      keyId: 'arn:aws:kms:eu-central-1:1:key/x',
      previousKeyIds: [],
    });
    expect(config.maxUploadBytes).toBe(500 * 1024 ** 2);
    expect(config.logLevel).toBe('warn');
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/^PORT: /);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/^DATABASE_URL: /);
    expect(() => loadConfig({ S3_ENDPOINT: 'https://s3.local' })).toThrow(/^S3_BUCKET: /);
    expect(() => loadConfig({ MAX_UPLOAD_BYTES: 'lots' })).toThrow(/^MAX_UPLOAD_BYTES: /);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/^METRICS_TOKEN: /);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(8080);
  });
});
