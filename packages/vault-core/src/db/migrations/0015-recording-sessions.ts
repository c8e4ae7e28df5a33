import type { Knex } from 'knex';
import { APP_ROLE } from '../roles.js';
import { enableTenantRls } from './rls.js';

/**
 * Migration `0015-recording-sessions`: recording sessions with their participants, events and
 * uploaded tracks, and the organization setting that turns transcripts on (off by default).
 *
 * Each session holds its own 32-byte data key, wrapped by the KEK (or KMS) under the context
 * (organization, session). Every track uploaded to the session is encrypted under a key of its
 * own wrapped by that session key, and transcripts under a key derived from it, so nulling
 * `wrapped_key` (deleting the recording) crypto-erases all of them at once. The session row stays
 * as a tombstone (`erased_at`), without a title, so nothing about it can be read again.
 */
export const migration0015: Knex.Migration = {
  async up(knex) {
    await knex.raw(
      'ALTER TABLE organizations ADD COLUMN transcripts_enabled boolean NOT NULL DEFAULT false',
    );
    await knex.raw(`CREATE TABLE recording_sessions (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      title text,
      scheduled_at timestamptz,
      kek_id text NOT NULL,
      wrapped_key bytea,
      created_by uuid,
      created_at timestamptz NOT NULL,
      erased_at timestamptz,
      UNIQUE (tenant_id, id))`);
    await knex.raw(`CREATE TABLE recording_participants (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      session_id uuid NOT NULL,
      name text NOT NULL,
      email text NOT NULL,
      role text NOT NULL CHECK (role IN ('host', 'guest', 'engineer')),
      created_at timestamptz NOT NULL,
      UNIQUE (tenant_id, id),
      FOREIGN KEY (tenant_id, session_id) REFERENCES recording_sessions (tenant_id, id)
        ON DELETE CASCADE)`);
    // `seq` orders events that share a timestamp (a join and its first upload).
    await knex.raw(`CREATE TABLE recording_events (
      id uuid PRIMARY KEY,
      seq bigint GENERATED ALWAYS AS IDENTITY,
      tenant_id uuid NOT NULL,
      session_id uuid NOT NULL,
      participant_id uuid,
      kind text NOT NULL
        CHECK (kind IN ('invited', 'joined', 'upload_started', 'completed', 'failed')),
      at timestamptz NOT NULL,
      detail jsonb,
      FOREIGN KEY (tenant_id, session_id) REFERENCES recording_sessions (tenant_id, id)
        ON DELETE CASCADE)`);
    await knex.raw(
      'CREATE INDEX recording_events_session ON recording_events (tenant_id, session_id, seq)',
    );
    await knex.raw(`CREATE TABLE recording_tracks (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      session_id uuid NOT NULL,
      participant_id uuid NOT NULL,
      storage_key text NOT NULL,
      wrapped_key bytea NOT NULL,
      size_bytes bigint NOT NULL,
      plaintext_sha256 text NOT NULL,
      original_file_name text,
      started_at timestamptz NOT NULL,
      track_id uuid,
      transcript bytea,
      transcript_engine text,
      created_at timestamptz NOT NULL,
      FOREIGN KEY (tenant_id, session_id) REFERENCES recording_sessions (tenant_id, id)
        ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, participant_id) REFERENCES recording_participants (tenant_id, id)
        ON DELETE CASCADE)`);
    for (const table of [
      'recording_sessions',
      'recording_participants',
      'recording_events',
      'recording_tracks',
    ]) {
      await enableTenantRls(knex, table);
      await knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${APP_ROLE}`);
    }
  },
  async down(knex) {
    await knex.raw('DROP TABLE recording_tracks');
    await knex.raw('DROP TABLE recording_events');
    await knex.raw('DROP TABLE recording_participants');
    await knex.raw('DROP TABLE recording_sessions');
    await knex.raw('ALTER TABLE organizations DROP COLUMN transcripts_enabled');
  },
};
