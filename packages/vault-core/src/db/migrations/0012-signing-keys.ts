import type { Knex } from 'knex';
import { APP_ROLE } from '../roles.js';
import { enableTenantRls } from './rls.js';

/**
 * Migration `0012-signing-keys`: each organization's Ed25519 key that signs its evidence
 * bundles. The 32-byte private seed is wrapped by the KEK (bound to the tenant and key id, like
 * watermark keys); the raw 32-byte public key is stored in the clear, for publication. One key
 * per organization (created on first use); the application may read and insert, never change.
 */
export const migration0012: Knex.Migration = {
  async up(knex) {
    await knex.raw(`CREATE TABLE signing_keys (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      algorithm text NOT NULL CHECK (algorithm IN ('Ed25519')),
      public_key bytea NOT NULL,
      seed_wrapped bytea NOT NULL,
      kek_id text NOT NULL,
      created_by uuid,
      created_at timestamptz NOT NULL,
      UNIQUE (tenant_id))`);
    await enableTenantRls(knex, 'signing_keys');
    await knex.raw(`GRANT SELECT, INSERT ON signing_keys TO ${APP_ROLE}`);
  },
  async down(knex) {
    await knex.raw('DROP TABLE signing_keys');
  },
};
