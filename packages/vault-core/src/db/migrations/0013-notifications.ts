import type { Knex } from 'knex';
import { APP_ROLE } from '../roles.js';
import { enableTenantRls } from './rls.js';

const TABLES = ['notifications', 'notification_settings'];

const SQL = `
CREATE TABLE notifications (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind ~ '^[a-z][a-z_]*(\\.[a-z][a-z_]*)+$'),
  subject jsonb NOT NULL DEFAULT '{}',
  summary text NOT NULL,
  created_at timestamptz NOT NULL,
  read_at timestamptz
);
CREATE INDEX notifications_feed ON notifications (tenant_id, user_id, created_at DESC);
CREATE INDEX notifications_unread ON notifications (tenant_id, user_id) WHERE read_at IS NULL;

CREATE TABLE notification_settings (
  tenant_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind text NOT NULL,
  email boolean NOT NULL,
  in_app boolean NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, user_id, kind)
);

ALTER TABLE share_recipients ADD COLUMN first_opened_at timestamptz;
ALTER TABLE access_events ADD COLUMN ranges jsonb;
ALTER TABLE tracks ADD COLUMN notes text;
ALTER TABLE tracks ADD COLUMN artwork_object_id uuid;
ALTER TABLE tracks ADD CONSTRAINT tracks_artwork_object
  FOREIGN KEY (tenant_id, artwork_object_id) REFERENCES objects (tenant_id, id)
  ON DELETE SET NULL (artwork_object_id);
`;

/**
 * Migration `0013-notifications`: each member's in-app notification feed (kind, subject ids,
 * summary, read mark) and their per-kind mute settings (email and in-app apart; a kind without a
 * row uses its defaults), both per organization and erased with the organization or the user;
 * when a recipient first opened their link (so the owner is told once, at no cost afterwards);
 * the stretches of a track a listening session really played (`[from, to]` seconds, merged), so
 * analytics can add up what was heard across sessions without counting a replay twice;
 * a track's notes and artwork (an encrypted object like every other blob).
 */
export const migration0013: Knex.Migration = {
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
    await knex.raw('ALTER TABLE tracks DROP CONSTRAINT tracks_artwork_object');
    await knex.raw('ALTER TABLE tracks DROP COLUMN artwork_object_id');
    await knex.raw('ALTER TABLE tracks DROP COLUMN notes');
    await knex.raw('ALTER TABLE access_events DROP COLUMN ranges');
    await knex.raw('ALTER TABLE share_recipients DROP COLUMN first_opened_at');
    for (const table of [...TABLES].reverse()) await knex.raw(`DROP TABLE ${table}`);
  },
};
