import type { Knex } from 'knex';
import { APP_ROLE } from '../roles.js';
import { enableTenantRls } from './rls.js';

/** Migration `0005-guest-tokens`: token access for guests to one track or one folder (project). */
export const migration0005: Knex.Migration = {
  async up(knex) {
    await knex.raw(`CREATE TABLE guest_tokens (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      token_hash bytea NOT NULL UNIQUE,
      label text NOT NULL,
      track_id uuid,
      folder_id uuid,
      created_by uuid,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      last_used_at timestamptz,
      uses integer NOT NULL DEFAULT 0,
      CHECK ((track_id IS NULL) <> (folder_id IS NULL)),
      FOREIGN KEY (tenant_id, track_id) REFERENCES tracks (tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, folder_id) REFERENCES folders (tenant_id, id) ON DELETE CASCADE)`);
    await enableTenantRls(knex, 'guest_tokens');
    await knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON guest_tokens TO ${APP_ROLE}`);
  },
  async down(knex) {
    await knex.raw('DROP TABLE guest_tokens');
  },
};
