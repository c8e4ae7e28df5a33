import type { Knex } from 'knex';
import { APP_ROLE } from '../roles.js';
import { enableTenantRls } from './rls.js';

/**
 * Migration `0016-key-rotation`:
 * - `key_rotations`: each re-wrap of the deployment's data keys, with its progress (a cursor per
 *   table of wrapped keys and counters), so an interrupted run continues where it stopped. Only
 *   the owner role (operator work, `withSystem`) reads or writes it.
 * - `organization_keys`: an organization's own KMS key (bring your own key). Its data keys are
 *   wrapped by it from the moment the row exists; admins read it through their tenant scope.
 * - `organizations.login_log_retention_days`: how long its members' sign-in events are kept,
 *   12 to 24 months (default 12); a user's events go after the longest of their organizations'.
 */
export const migration0016: Knex.Migration = {
  async up(knex) {
    await knex.raw(`CREATE TABLE key_rotations (
      id uuid PRIMARY KEY,
      target_key_id text NOT NULL,
      state text NOT NULL CHECK (state IN ('running', 'completed', 'superseded')),
      cursors jsonb NOT NULL DEFAULT '{}',
      rewrapped integer NOT NULL DEFAULT 0,
      failed integer NOT NULL DEFAULT 0,
      passes integer NOT NULL DEFAULT 0,
      started_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      completed_at timestamptz)`);
    await knex.raw(
      "CREATE UNIQUE INDEX key_rotations_one_running ON key_rotations ((true)) WHERE state = 'running'",
    );
    await knex.raw(`CREATE TABLE organization_keys (
      tenant_id uuid PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
      key_id text NOT NULL,
      created_by uuid,
      created_at timestamptz NOT NULL)`);
    await enableTenantRls(knex, 'organization_keys');
    await knex.raw(`GRANT SELECT, INSERT, DELETE ON organization_keys TO ${APP_ROLE}`);
    await knex.raw(
      'ALTER TABLE organizations ADD COLUMN login_log_retention_days integer NOT NULL DEFAULT 365 CHECK (login_log_retention_days BETWEEN 365 AND 730)',
    );
  },
  async down(knex) {
    await knex.raw('ALTER TABLE organizations DROP COLUMN login_log_retention_days');
    await knex.raw('DROP TABLE organization_keys');
    await knex.raw('DROP TABLE key_rotations');
  },
};
