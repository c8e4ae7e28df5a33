import type { Knex } from 'knex';
import { APP_ROLE } from '../roles.js';
import { enableTenantRls } from './rls.js';

/**
 * Migration `0011-marked-renditions`: a recipient's marked lossy preview is rendered once and
 * stored encrypted like any object, so a play or a seek reads it instead of marking and encoding
 * again. An object may name the object it was derived from (`derived_from`): erasing a master
 * erases what was rendered from it in the same statement. Each rendition records the SHA-256 of
 * the bytes it serves; that record outlives the stored file (`object_id` becomes null when the
 * purge deletes it), as evidence of what the person was served.
 */
export const migration0011: Knex.Migration = {
  async up(knex) {
    await knex.raw('ALTER TABLE objects ADD COLUMN derived_from uuid');
    await knex.raw(
      'CREATE INDEX objects_derived_from ON objects (derived_from) WHERE derived_from IS NOT NULL',
    );
    await knex.raw(`CREATE TABLE marked_renditions (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      source_object_id uuid NOT NULL,
      key_id text NOT NULL,
      payload text NOT NULL,
      format text NOT NULL CHECK (format IN ('mp3')),
      kbps integer NOT NULL,
      object_id uuid,
      sha256 text NOT NULL,
      size_bytes bigint NOT NULL,
      created_at timestamptz NOT NULL,
      UNIQUE (tenant_id, source_object_id, key_id, payload, format, kbps),
      FOREIGN KEY (tenant_id, object_id) REFERENCES objects (tenant_id, id) ON DELETE SET NULL (object_id))`);
    await enableTenantRls(knex, 'marked_renditions');
    await knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON marked_renditions TO ${APP_ROLE}`);
  },
  async down(knex) {
    await knex.raw('DROP TABLE marked_renditions');
    await knex.raw('DROP INDEX objects_derived_from');
    await knex.raw('ALTER TABLE objects DROP COLUMN derived_from');
  },
};
