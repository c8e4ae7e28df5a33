import type { Knex } from 'knex';
import { APP_ROLE } from '../roles.js';
import { enableTenantRls } from './rls.js';

/**
 * Migration `0008-sign-in-security`: attempt counters shared by every server (rate limits and
 * per-account throttles), registrations waiting for their emailed code, and membership
 * invitations that the invitee accepts.
 */
export const migration0008: Knex.Migration = {
  async up(knex) {
    await knex.raw(`CREATE TABLE attempt_counters (
      key text NOT NULL,
      window_start timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      count integer NOT NULL,
      PRIMARY KEY (key, window_start))`);
    await knex.raw('CREATE INDEX attempt_counters_expiry ON attempt_counters (expires_at)');
    await knex.raw(`CREATE TABLE pending_registrations (
      id uuid PRIMARY KEY,
      email text NOT NULL,
      display_name text NOT NULL,
      password_hash text NOT NULL,
      code_hash bytea NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz)`);
    for (const t of ['attempt_counters', 'pending_registrations']) {
      await knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${t} TO ${APP_ROLE}`);
    }
    await knex.raw(`CREATE TABLE invitations (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      email text NOT NULL,
      role text NOT NULL CHECK (role IN ('member', 'admin', 'owner')),
      invited_by uuid,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      answered_at timestamptz,
      answer text CHECK (answer IN ('accepted', 'declined', 'revoked')))`);
    await knex.raw(
      'CREATE INDEX invitations_email ON invitations (email) WHERE answered_at IS NULL',
    );
    await enableTenantRls(knex, 'invitations');
    await knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON invitations TO ${APP_ROLE}`);
  },
  async down(knex) {
    await knex.raw('DROP TABLE invitations');
    await knex.raw('DROP TABLE pending_registrations');
    await knex.raw('DROP TABLE attempt_counters');
  },
};
