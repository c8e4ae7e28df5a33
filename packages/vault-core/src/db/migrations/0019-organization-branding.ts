import type { Knex } from 'knex';

/**
 * Migration `0019-organization-branding`: an organization's accent colour (`#rrggbb`, null for
 * the default) and logo (an encrypted object like track artwork), shown on its recipients' pages.
 * The logo has no foreign key: the organization's objects are deleted with it (a cycle otherwise).
 */
export const migration0019: Knex.Migration = {
  async up(knex) {
    await knex.raw(
      "ALTER TABLE organizations ADD COLUMN brand_color text CHECK (brand_color ~ '^#[0-9a-f]{6}$')",
    );
    await knex.raw('ALTER TABLE organizations ADD COLUMN logo_object_id uuid');
  },
  async down(knex) {
    await knex.raw('ALTER TABLE organizations DROP COLUMN logo_object_id');
    await knex.raw('ALTER TABLE organizations DROP COLUMN brand_color');
  },
};
