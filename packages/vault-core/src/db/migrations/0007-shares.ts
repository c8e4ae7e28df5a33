import type { Knex } from 'knex';
import { APP_ROLE } from '../roles.js';
import { enableTenantRls } from './rls.js';

const TABLES = ['watermark_keys', 'share_grants', 'share_unlock_throttle', 'investigations'];

const SQL = `
ALTER TABLE shares ADD COLUMN title text;
ALTER TABLE organizations ADD COLUMN share_default_days integer NOT NULL DEFAULT 14
  CHECK (share_default_days BETWEEN 1 AND 365);
ALTER TABLE organizations ADD COLUMN share_max_days integer NOT NULL DEFAULT 90
  CHECK (share_max_days BETWEEN 1 AND 365);
CREATE UNIQUE INDEX forensic_marks_recipient_track ON forensic_marks (tenant_id, recipient_id, track_id);
CREATE INDEX share_recipients_share ON share_recipients (tenant_id, share_id);
CREATE INDEX access_events_recipient ON access_events (tenant_id, recipient_id, at);

CREATE TABLE watermark_keys (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  secret_wrapped bytea NOT NULL,
  kek_id text NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL,
  retired_at timestamptz,
  UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX watermark_keys_current ON watermark_keys (tenant_id) WHERE retired_at IS NULL;

CREATE TABLE share_grants (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL,
  recipient_id uuid NOT NULL,
  token_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  FOREIGN KEY (tenant_id, recipient_id) REFERENCES share_recipients (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE share_unlock_throttle (
  tenant_id uuid NOT NULL,
  recipient_id uuid NOT NULL,
  ip_hash text NOT NULL,
  failures integer NOT NULL DEFAULT 0,
  window_started_at timestamptz NOT NULL,
  locked_until timestamptz,
  PRIMARY KEY (recipient_id, ip_hash),
  FOREIGN KEY (tenant_id, recipient_id) REFERENCES share_recipients (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE investigations (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  created_by uuid,
  object_id uuid,
  job_id uuid,
  file_name text NOT NULL,
  size_bytes bigint NOT NULL,
  file_sha256 text NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  result jsonb,
  error text,
  created_at timestamptz NOT NULL,
  completed_at timestamptz,
  FOREIGN KEY (tenant_id, object_id) REFERENCES objects (tenant_id, id) ON DELETE SET NULL (object_id)
);
CREATE INDEX investigations_tenant_created ON investigations (tenant_id, created_at);
`;

/**
 * Migration `0007-shares`: what the sharing and investigation use-cases add to the core schema:
 * share titles, per-organization share expiry settings, per-tenant watermark keys (wrapped by
 * the KEK, one current), access grants of password-protected shares, the unlock throttle, and
 * leak investigations.
 */
export const migration0007: Knex.Migration = {
  async up(knex) {
    for (const statement of SQL.split(/;\s*\n/).map((s) => s.trim())) {
      if (statement) await knex.raw(statement);
    }
    for (const table of TABLES) {
      await enableTenantRls(knex, table);
      await knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${APP_ROLE}`);
    }
  },
  async down(knex) {
    for (const table of [...TABLES].reverse()) await knex.raw(`DROP TABLE ${table}`);
    await knex.raw('DROP INDEX access_events_recipient');
    await knex.raw('DROP INDEX share_recipients_share');
    await knex.raw('DROP INDEX forensic_marks_recipient_track');
    await knex.raw('ALTER TABLE organizations DROP COLUMN share_max_days');
    await knex.raw('ALTER TABLE organizations DROP COLUMN share_default_days');
    await knex.raw('ALTER TABLE shares DROP COLUMN title');
  },
};
