import type { Knex } from 'knex';
import { APP_ROLE } from '../roles.js';

/** Migration `0003-second-factors`: TOTP, recovery codes and emailed sign-in codes (identity tables). */
export const migration0003: Knex.Migration = {
  async up(knex) {
    await knex.raw('ALTER TABLE users ADD COLUMN totp_secret_wrapped bytea');
    await knex.raw('ALTER TABLE users ADD COLUMN totp_kek_id text');
    await knex.raw('ALTER TABLE users ADD COLUMN totp_enabled_at timestamptz');
    await knex.raw('ALTER TABLE users ADD COLUMN totp_last_step bigint');
    await knex.raw(`CREATE TABLE recovery_codes (
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      code_hash bytea NOT NULL,
      used_at timestamptz,
      PRIMARY KEY (user_id, code_hash))`);
    await knex.raw(`CREATE TABLE email_codes (
      id uuid PRIMARY KEY,
      user_id uuid REFERENCES users(id) ON DELETE CASCADE,
      code_hash bytea NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz)`);
    for (const t of ['recovery_codes', 'email_codes']) {
      await knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${t} TO ${APP_ROLE}`);
    }
  },
  async down(knex) {
    await knex.raw('DROP TABLE email_codes');
    await knex.raw('DROP TABLE recovery_codes');
    for (const c of ['totp_last_step', 'totp_enabled_at', 'totp_kek_id', 'totp_secret_wrapped']) {
      await knex.raw(`ALTER TABLE users DROP COLUMN ${c}`);
    }
  },
};
