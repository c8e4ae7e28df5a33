import type { Knex } from 'knex';
import { APP_ROLE } from '../roles.js';
import { enableTenantRls } from './rls.js';

/**
 * Migration `0010-derived-records`: what the analysis and stems jobs derive from a version gets
 * tables of its own (it lived in the jobs' results), and organizations may have their owners'
 * downloads marked too.
 */
export const migration0010: Knex.Migration = {
  async up(knex) {
    await knex.raw(
      'ALTER TABLE organizations ADD COLUMN mark_owner_downloads boolean NOT NULL DEFAULT false',
    );
    await knex.raw(`CREATE TABLE track_analyses (
      tenant_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      track_id uuid NOT NULL,
      version integer NOT NULL,
      details jsonb NOT NULL,
      peaks jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, track_id, version),
      FOREIGN KEY (tenant_id, track_id) REFERENCES tracks (tenant_id, id) ON DELETE CASCADE)`);
    // No cascade from tracks: a deleted track's stems are crypto-erased from these rows.
    await knex.raw(`CREATE TABLE track_stems (
      tenant_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      track_id uuid NOT NULL,
      version integer NOT NULL,
      name text NOT NULL,
      object_id uuid NOT NULL,
      size_bytes bigint NOT NULL,
      PRIMARY KEY (tenant_id, track_id, version, name))`);
    for (const table of ['track_analyses', 'track_stems']) {
      await enableTenantRls(knex, table);
      await knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${APP_ROLE}`);
    }
  },
  async down(knex) {
    await knex.raw('DROP TABLE track_stems');
    await knex.raw('DROP TABLE track_analyses');
    await knex.raw('ALTER TABLE organizations DROP COLUMN mark_owner_downloads');
  },
};
