import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly the documented public surface', () => {
  expect(Object.keys(api).sort()).toEqual(
    [
      'APP_ROLE',
      'DEFAULT_CHUNK_SIZE',
      'EmailTakenError',
      'ForbiddenError',
      'IntegrityError',
      'InvalidCredentialsError',
      'InvalidStorageKeyError',
      'LocalKek',
      'ManualClock',
      'NotFoundError',
      'ObjectErasedError',
      'SessionInvalidError',
      'TenantContextError',
      'ValidationError',
      'VaultError',
      'canonicalJson',
      'createDecryptStream',
      'createEncryptStream',
      'migrate',
      'openDatabase',
      'systemClock',
      'withIdentity',
      'withSystem',
      'withTenant',
    ].sort(),
  );
});
