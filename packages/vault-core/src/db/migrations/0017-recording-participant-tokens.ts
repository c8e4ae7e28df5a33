import type { Knex } from 'knex';
import { APP_ROLE } from '../roles.js';
import { enableTenantRls } from './rls.js';

/**
 * Migration `0017-recording-participant-tokens`: the secret links a recording session's
 * invitation emails carry, so a participant without an account can open the session's
 * participant page and upload their own tracks. Only a SHA-256 of each token's secret is stored;
 * a token ends with its session (erasure), at its expiry, or when revoked (the participant is
 * removed). Participants get `removed_at`: a removed participant uploads no more.
 */
export const migration0017: Knex.Migration = {
  async up(knex) {
    await knex.raw('ALTER TABLE recording_participants ADD COLUMN removed_at timestamptz');
    await knex.raw(`CREATE TABLE recording_participant_tokens (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      session_id uuid NOT NULL,
      participant_id uuid NOT NULL,
      secret_hash bytea NOT NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      last_used_at timestamptz,
      uses integer NOT NULL DEFAULT 0,
      FOREIGN KEY (tenant_id, session_id) REFERENCES recording_sessions (tenant_id, id)
        ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, participant_id) REFERENCES recording_participants (tenant_id, id)
        ON DELETE CASCADE)`);
    await knex.raw(
      'CREATE INDEX recording_participant_tokens_participant ON recording_participant_tokens (tenant_id, participant_id)',
    );
    await enableTenantRls(knex, 'recording_participant_tokens');
    await knex.raw(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON recording_participant_tokens TO ${APP_ROLE}`,
    );
  },
  async down(knex) {
    await knex.raw('DROP TABLE recording_participant_tokens');
    await knex.raw('ALTER TABLE recording_participants DROP COLUMN removed_at');
  },
};
