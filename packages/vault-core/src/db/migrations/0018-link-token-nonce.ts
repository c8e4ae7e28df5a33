import type { Knex } from 'knex';

/**
 * Migration `0018-link-token-nonce`: a recipient's link token is derived from a secret and a
 * random nonce stored in its row (`token_nonce`), so "resend" can mail the same link again while
 * the database still holds only the token's SHA-256. Rows made before have no nonce: their link
 * keeps working, and re-sending it replaces it once (the new link has a nonce).
 */
export const migration0018: Knex.Migration = {
  async up(knex) {
    await knex.raw('ALTER TABLE share_recipients ADD COLUMN token_nonce bytea');
  },
  async down(knex) {
    await knex.raw('ALTER TABLE share_recipients DROP COLUMN token_nonce');
  },
};
