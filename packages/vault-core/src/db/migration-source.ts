import type { Knex } from 'knex';
import { migration0001 } from './migrations/0001-core.js';
import { migration0002 } from './migrations/0002-account-deletion.js';
import { migration0003 } from './migrations/0003-second-factors.js';
import { migration0004 } from './migrations/0004-retention.js';
import { migration0005 } from './migrations/0005-guest-tokens.js';
import { migration0006 } from './migrations/0006-track-retention.js';
import { migration0007 } from './migrations/0007-shares.js';
import { migration0008 } from './migrations/0008-sign-in-security.js';
import { migration0009 } from './migrations/0009-marked-exits.js';
import { migration0010 } from './migrations/0010-derived-records.js';
import { migration0011 } from './migrations/0011-marked-renditions.js';
import { migration0012 } from './migrations/0012-signing-keys.js';
import { migration0013 } from './migrations/0013-notifications.js';
import { migration0014 } from './migrations/0014-review.js';
import { migration0015 } from './migrations/0015-recording-sessions.js';
import { migration0016 } from './migrations/0016-key-rotation.js';
import { migration0017 } from './migrations/0017-recording-participant-tokens.js';
import { migration0018 } from './migrations/0018-link-token-nonce.js';
import { migration0019 } from './migrations/0019-organization-branding.js';

/** Every migration in order. Imported statically so a bundle carries them (no directory glob). */
const MIGRATIONS: ReadonlyArray<readonly [string, Knex.Migration]> = [
  ['0001-core', migration0001],
  ['0002-account-deletion', migration0002],
  ['0003-second-factors', migration0003],
  ['0004-retention', migration0004],
  ['0005-guest-tokens', migration0005],
  ['0006-track-retention', migration0006],
  ['0007-shares', migration0007],
  ['0008-sign-in-security', migration0008],
  ['0009-marked-exits', migration0009],
  ['0010-derived-records', migration0010],
  ['0011-marked-renditions', migration0011],
  ['0012-signing-keys', migration0012],
  ['0013-notifications', migration0013],
  ['0014-review', migration0014],
  ['0015-recording-sessions', migration0015],
  ['0016-key-rotation', migration0016],
  ['0017-recording-participant-tokens', migration0017],
  ['0018-link-token-nonce', migration0018],
  ['0019-organization-branding', migration0019],
];

/** A knex migration source over the static list above. */
export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => MIGRATIONS.map(([name]) => name),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const found = MIGRATIONS.find(([n]) => n === name);
    if (!found) throw new Error(`unknown migration ${name}`);
    return found[1];
  },
};
