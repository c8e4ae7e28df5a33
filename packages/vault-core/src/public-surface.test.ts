import { expect, expectTypeOf, it } from 'vitest';
import * as api from './index.js';
import * as testing from './testing.js';

it('exports exactly the documented public surface', () => {
  expect(Object.keys(api).sort()).toEqual(
    [
      // The vault, its configuration defaults.
      'openVault',
      'DEFAULT_INVESTIGATION_POLICY',
      'DEFAULT_SESSION_POLICY',
      // Errors.
      'DatabaseUnavailableError',
      'EmailTakenError',
      'ForbiddenError',
      'IntegrityError',
      'InvalidCredentialsError',
      'InvalidStorageKeyError',
      'KeyUnavailableError',
      'LimitReachedError',
      'NotFoundError',
      'ObjectErasedError',
      'PasswordRequiredError',
      'RateLimitedError',
      'SessionInvalidError',
      'ShareUnavailableError',
      'TenantContextError',
      'TwoFactorRequiredError',
      'ValidationError',
      'VaultError',
      // Ports' adapters.
      'ManualClock',
      'systemClock',
      'LocalKek',
      'KekFile',
      'KeyRing',
      'KmsKeyWrapper',
      'awsKmsClient',
      'OutboxMailer',
      'SmtpMailer',
      'LocalStorage',
      'S3Storage',
      'jsonLinesLogger',
      'silentLogger',
      // The database, opened and migrated on its own.
      'openDatabase',
      'migrate',
      'migrationStatus',
      // Limits and formats of use-case inputs and outputs.
      'DEFAULT_PREVIEW_KBPS',
      'PREVIEW_BITRATES',
      'MAX_PASSWORD_BYTES',
      'MIN_PASSWORD_LENGTH',
      'MAX_SHARE_RECIPIENTS',
      'MAX_SHARE_TRACKS',
      'GUEST_TOKEN_MAX_MS',
      'PURGE_INTERVAL_MS',
      'ROLES',
      'EXPORT_FORMAT',
      'EVIDENCE_FORMAT',
      // Documents checked or opened without a vault.
      'verifyEvidence',
      'evidencePdf',
      'evidenceFromPdf',
      'decryptOrganizationExport',
      // How reports write where a mark was found.
      'offsetText',
      // Uploads identified by their first bytes.
      'sniffContainer',
    ].sort(),
  );
});

it('keeps the internals for tests in their own entry point', () => {
  expect(Object.keys(testing).sort()).toEqual(
    [
      'vaultDeps',
      'withIdentity',
      'withSystem',
      'withTenant',
      'markedWavLayout',
      'watermarkedWav',
    ].sort(),
  );
});

it('keeps the ports off the vault type', () => {
  expectTypeOf<api.Vault>().not.toHaveProperty('deps');
  expectTypeOf<api.Vault['health']['database']>().toEqualTypeOf<() => Promise<void>>();
  expectTypeOf<
    api.Vault['investigations']['limits']
  >().returns.toEqualTypeOf<api.InvestigationPolicy>();
});
