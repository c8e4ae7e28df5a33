import type { Knex } from 'knex';

/** Migration `0006-track-retention`: optional per-organization retention of recordings. */
export const migration0006: Knex.Migration = {
  async up(knex) {
    await knex.raw(
      'ALTER TABLE organizations ADD COLUMN track_retention_days integer CHECK (track_retention_days BETWEEN 1 AND 36500)',
    );
  },
  async down(knex) {
    await knex.raw('ALTER TABLE organizations DROP COLUMN track_retention_days');
  },
};
