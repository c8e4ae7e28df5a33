import type { Knex } from 'knex';

/** Migration `0004-retention`: per-organization retention of recipient access logs. */
export const migration0004: Knex.Migration = {
  async up(knex) {
    await knex.raw(
      'ALTER TABLE organizations ADD COLUMN access_log_retention_days integer NOT NULL DEFAULT 730 CHECK (access_log_retention_days BETWEEN 1 AND 3650)',
    );
  },
  async down(knex) {
    await knex.raw('ALTER TABLE organizations DROP COLUMN access_log_retention_days');
  },
};
