import type { Knex } from 'knex';
import { APP_ROLE } from '../roles.js';
import { enableTenantRls } from './rls.js';

const TABLES = ['review_comments', 'review_approvals', 'guest_invitations', 'guest_sessions'];

const SQL = `
ALTER TABLE shares ADD COLUMN allow_feedback boolean NOT NULL DEFAULT false;

CREATE TABLE review_comments (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  track_id uuid NOT NULL,
  version_id uuid NOT NULL REFERENCES track_versions(id) ON DELETE CASCADE,
  parent_id uuid REFERENCES review_comments(id) ON DELETE CASCADE,
  body text NOT NULL,
  at_seconds double precision NOT NULL CHECK (at_seconds >= 0),
  end_seconds double precision CHECK (end_seconds IS NULL OR end_seconds > at_seconds),
  author_kind text NOT NULL CHECK (author_kind IN ('member', 'guest', 'recipient')),
  author_user_id uuid REFERENCES users(id) ON DELETE CASCADE,
  author_recipient_id uuid,
  author_guest_id uuid REFERENCES guest_tokens(id) ON DELETE CASCADE,
  author_name text NOT NULL,
  mentions uuid[] NOT NULL DEFAULT '{}',
  resolved_at timestamptz,
  resolved_by uuid,
  created_at timestamptz NOT NULL,
  edited_at timestamptz,
  CHECK ((author_kind = 'member') = (author_user_id IS NOT NULL)
    AND (author_kind = 'recipient') = (author_recipient_id IS NOT NULL)
    AND (author_kind = 'guest') = (author_guest_id IS NOT NULL)),
  FOREIGN KEY (tenant_id, track_id) REFERENCES tracks (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, author_recipient_id) REFERENCES share_recipients (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX review_comments_track ON review_comments (tenant_id, track_id, created_at);
CREATE INDEX review_comments_parent ON review_comments (parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE review_approvals (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  track_id uuid NOT NULL,
  version_id uuid NOT NULL REFERENCES track_versions(id) ON DELETE CASCADE,
  reviewer_key text NOT NULL,
  reviewer_kind text NOT NULL CHECK (reviewer_kind IN ('member', 'guest', 'recipient')),
  reviewer_user_id uuid REFERENCES users(id) ON DELETE CASCADE,
  reviewer_recipient_id uuid,
  reviewer_guest_id uuid REFERENCES guest_tokens(id) ON DELETE CASCADE,
  reviewer_name text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('approved', 'changes_requested')),
  note text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (version_id, reviewer_key),
  FOREIGN KEY (tenant_id, track_id) REFERENCES tracks (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, reviewer_recipient_id) REFERENCES share_recipients (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX review_approvals_track ON review_approvals (tenant_id, track_id);

CREATE TABLE guest_invitations (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  guest_token_id uuid NOT NULL UNIQUE REFERENCES guest_tokens(id) ON DELETE CASCADE,
  name text NOT NULL,
  email text NOT NULL,
  code_hash bytea,
  code_expires_at timestamptz,
  code_attempts integer NOT NULL DEFAULT 0,
  created_by uuid,
  created_at timestamptz NOT NULL
);

CREATE TABLE guest_sessions (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  guest_token_id uuid NOT NULL REFERENCES guest_tokens(id) ON DELETE CASCADE,
  token_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX guest_sessions_token ON guest_sessions (guest_token_id)
`;

/**
 * Migration `0014-review`: audio review. Comments on a track version at a point or over a range,
 * threaded by `parent_id`, written by a member, a guest or a share recipient (exactly one), with
 * the mentioned members; one approval decision per reviewer and version (a new version starts
 * with none); shares gain the feedback option (off); guest invitations (name, email, the code a
 * guest signs in with, stored hashed) and the guest sessions that sign-in opens. Deleting a
 * track, a version, a user, a recipient or a guest token deletes what they wrote.
 */
export const migration0014: Knex.Migration = {
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
    await knex.raw('ALTER TABLE shares DROP COLUMN allow_feedback');
  },
};
