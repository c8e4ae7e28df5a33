import type { Knex } from 'knex';
import { APP_ROLE } from '../roles.js';
import { enableTenantRls, ensureAppRole } from './rls.js';

/**
 * Core schema: identity (global), organizations and memberships, catalog, encrypted objects,
 * audit chain, jobs, and the share/forensic tables the sharing workflow builds on.
 *
 * Global tables (no tenant column) hold identity data that is looked up before a tenant is
 * known: users, sessions, login events, email codes and the daily IP salts. Every other table
 * carries `tenant_id` and is under forced row-level security.
 */
const TENANT_TABLES = [
  'organizations',
  'memberships',
  'folders',
  'objects',
  'tracks',
  'track_versions',
  'audit_heads',
  'audit_events',
  'audit_checkpoints',
  'jobs',
  'shares',
  'share_tracks',
  'share_recipients',
  'forensic_marks',
  'access_events',
];

const GLOBAL_TABLES = ['users', 'sessions', 'login_events', 'ip_salts'];

const SQL = `
CREATE TABLE users (
  id uuid PRIMARY KEY,
  email text NOT NULL,
  display_name text NOT NULL,
  password_hash text NOT NULL,
  password_changed_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  deleted_at timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash bytea NOT NULL UNIQUE,
  kind text NOT NULL DEFAULT 'browser',
  user_agent text,
  ip_hash text,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_events (
  id uuid PRIMARY KEY,
  user_id uuid REFERENCES users(id) ON DELETE CASCADE,
  outcome text NOT NULL,
  method text NOT NULL,
  ip_hash text,
  user_agent text,
  new_device boolean NOT NULL DEFAULT false,
  at timestamptz NOT NULL
);
CREATE INDEX login_events_user ON login_events (user_id, at);

CREATE TABLE ip_salts (
  day date PRIMARY KEY,
  salt bytea NOT NULL
);

CREATE TABLE organizations (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL UNIQUE CHECK (tenant_id = id),
  name text NOT NULL,
  personal boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  delete_requested_at timestamptz,
  delete_after timestamptz
);

CREATE TABLE memberships (
  tenant_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE folders (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  parent_id uuid,
  name text NOT NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, parent_id) REFERENCES folders (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE objects (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  kind text NOT NULL,
  storage_key text NOT NULL UNIQUE,
  kek_id text NOT NULL,
  wrapped_key bytea,
  size_bytes bigint NOT NULL,
  plaintext_sha256 text NOT NULL,
  created_at timestamptz NOT NULL,
  erased_at timestamptz,
  UNIQUE (tenant_id, id)
);

CREATE TABLE tracks (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  folder_id uuid,
  title text NOT NULL,
  artist text,
  duration_seconds double precision,
  bpm double precision,
  musical_key text,
  tags text[] NOT NULL DEFAULT '{}',
  original_file_name text,
  content_sha256 text,
  analysis_status text NOT NULL DEFAULT 'pending'
    CHECK (analysis_status IN ('pending', 'running', 'done', 'failed')),
  current_version integer NOT NULL DEFAULT 0,
  created_by uuid,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, folder_id) REFERENCES folders (tenant_id, id) ON DELETE SET NULL (folder_id)
);
CREATE INDEX tracks_tenant_title ON tracks (tenant_id, lower(title));

CREATE TABLE track_versions (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL,
  track_id uuid NOT NULL,
  version integer NOT NULL,
  object_id uuid,
  original_file_name text,
  content_sha256 text,
  size_bytes bigint,
  created_by uuid,
  created_at timestamptz NOT NULL,
  UNIQUE (track_id, version),
  FOREIGN KEY (tenant_id, track_id) REFERENCES tracks (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, object_id) REFERENCES objects (tenant_id, id) ON DELETE SET NULL (object_id)
);

CREATE TABLE audit_heads (
  tenant_id uuid PRIMARY KEY,
  chain_id uuid NOT NULL UNIQUE,
  seq bigint NOT NULL,
  hash text NOT NULL
);

CREATE TABLE audit_events (
  chain_id uuid NOT NULL,
  seq bigint NOT NULL,
  tenant_id uuid,
  at timestamptz NOT NULL,
  actor_id uuid,
  action text NOT NULL,
  object_type text,
  object_id text,
  ip_hash text,
  detail jsonb NOT NULL DEFAULT '{}',
  subject_digest text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  tombstoned_at timestamptz,
  PRIMARY KEY (chain_id, seq)
);
CREATE INDEX audit_events_tenant ON audit_events (tenant_id, seq);

CREATE TABLE audit_checkpoints (
  chain_id uuid NOT NULL,
  seq bigint NOT NULL,
  tenant_id uuid,
  hash text NOT NULL,
  key_id text NOT NULL,
  signature text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (chain_id, seq)
);

CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL,
  queue text NOT NULL,
  idempotency_key text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 3,
  run_after timestamptz NOT NULL,
  locked_until timestamptz,
  locked_by text,
  progress double precision NOT NULL DEFAULT 0,
  result jsonb,
  error text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (tenant_id, queue, idempotency_key)
);
CREATE INDEX jobs_ready ON jobs (queue, state, run_after);

CREATE TABLE shares (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  created_by uuid,
  note text,
  password_hash text,
  allow_download boolean NOT NULL DEFAULT false,
  max_plays integer,
  max_downloads integer,
  activates_at timestamptz,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  disabled_at timestamptz,
  created_at timestamptz NOT NULL,
  UNIQUE (tenant_id, id)
);

CREATE TABLE share_tracks (
  tenant_id uuid NOT NULL,
  share_id uuid NOT NULL,
  track_id uuid NOT NULL,
  PRIMARY KEY (share_id, track_id),
  FOREIGN KEY (tenant_id, share_id) REFERENCES shares (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, track_id) REFERENCES tracks (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE share_recipients (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL,
  share_id uuid NOT NULL,
  name text NOT NULL,
  email text NOT NULL,
  company text,
  token_hash bytea NOT NULL UNIQUE,
  plays integer NOT NULL DEFAULT 0,
  downloads integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz,
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, share_id) REFERENCES shares (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE forensic_marks (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL,
  key_id text NOT NULL,
  payload text NOT NULL,
  share_id uuid NOT NULL,
  recipient_id uuid NOT NULL,
  track_id uuid NOT NULL,
  created_at timestamptz NOT NULL,
  retain_until timestamptz NOT NULL,
  UNIQUE (tenant_id, key_id, payload)
);

CREATE TABLE access_events (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL,
  share_id uuid NOT NULL,
  recipient_id uuid NOT NULL,
  track_id uuid,
  kind text NOT NULL CHECK (kind IN ('opened', 'played', 'downloaded', 'password_failed')),
  position_seconds double precision,
  ip_hash text,
  user_agent text,
  at timestamptz NOT NULL
);
CREATE INDEX access_events_share ON access_events (tenant_id, share_id, at);
`;

/** Migration `0001-core`. */
export const migration0001: Knex.Migration = {
  async up(knex) {
    await ensureAppRole(knex);
    for (const statement of SQL.split(/;\s*\n/).map((s) => s.trim())) {
      if (statement) await knex.raw(statement);
    }
    for (const table of TENANT_TABLES) {
      await enableTenantRls(knex, table);
      await knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${APP_ROLE}`);
    }
    // The audit trail is append-only for the application: no UPDATE, no DELETE.
    await knex.raw(`REVOKE UPDATE, DELETE ON audit_events, audit_checkpoints FROM ${APP_ROLE}`);
    for (const table of GLOBAL_TABLES) {
      await knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${APP_ROLE}`);
    }
  },
  async down(knex) {
    for (const table of [...TENANT_TABLES].reverse()) {
      await knex.raw(`DROP TABLE IF EXISTS ${table} CASCADE`);
    }
    for (const table of GLOBAL_TABLES) await knex.raw(`DROP TABLE IF EXISTS ${table} CASCADE`);
  },
};
