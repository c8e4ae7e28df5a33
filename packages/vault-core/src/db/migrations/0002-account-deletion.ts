import type { Knex } from 'knex';

/** Migration `0002-account-deletion`: grace-period columns on users. */
export const migration0002: Knex.Migration = {
  async up(knex) {
    await knex.raw('ALTER TABLE users ADD COLUMN delete_requested_at timestamptz');
    await knex.raw('ALTER TABLE users ADD COLUMN delete_after timestamptz');
  },
  async down(knex) {
    await knex.raw('ALTER TABLE users DROP COLUMN delete_after');
    await knex.raw('ALTER TABLE users DROP COLUMN delete_requested_at');
  },
};
