import type { Knex } from 'knex';

/**
 * Migration `0009-marked-exits`: forensic mappings for every marked exit, not only share
 * recipients. A mapping names exactly one subject (a share recipient, a guest token or a studio
 * member) and keeps a label of who it was, so an investigation still names them after the
 * token or account is gone. Shares get the bit rate of the lossy preview their recipients stream.
 */
export const migration0009: Knex.Migration = {
  async up(knex) {
    await statements(
      knex,
      `
ALTER TABLE forensic_marks ALTER COLUMN share_id DROP NOT NULL;
ALTER TABLE forensic_marks ALTER COLUMN recipient_id DROP NOT NULL;
ALTER TABLE forensic_marks ADD COLUMN subject text NOT NULL DEFAULT 'recipient'
  CHECK (subject IN ('recipient', 'guest', 'member'));
ALTER TABLE forensic_marks ADD COLUMN guest_token_id uuid;
ALTER TABLE forensic_marks ADD COLUMN member_user_id uuid;
ALTER TABLE forensic_marks ADD COLUMN subject_label text;
ALTER TABLE forensic_marks ADD CONSTRAINT forensic_marks_one_subject CHECK (
  (subject = 'recipient') = (recipient_id IS NOT NULL)
  AND (subject = 'guest') = (guest_token_id IS NOT NULL)
  AND (subject = 'member') = (member_user_id IS NOT NULL));
ALTER TABLE shares ADD COLUMN preview_kbps integer NOT NULL DEFAULT 256
  CHECK (preview_kbps IN (128, 192, 256, 320));
CREATE UNIQUE INDEX forensic_marks_guest_track
  ON forensic_marks (tenant_id, guest_token_id, track_id, key_id) WHERE guest_token_id IS NOT NULL;
CREATE UNIQUE INDEX forensic_marks_member_track
  ON forensic_marks (tenant_id, member_user_id, track_id, key_id) WHERE member_user_id IS NOT NULL;
`,
    );
  },
  async down(knex) {
    await statements(
      knex,
      `
DELETE FROM forensic_marks WHERE subject <> 'recipient';
DROP INDEX forensic_marks_member_track;
DROP INDEX forensic_marks_guest_track;
ALTER TABLE forensic_marks DROP CONSTRAINT forensic_marks_one_subject;
ALTER TABLE forensic_marks DROP COLUMN subject_label;
ALTER TABLE forensic_marks DROP COLUMN member_user_id;
ALTER TABLE forensic_marks DROP COLUMN guest_token_id;
ALTER TABLE forensic_marks DROP COLUMN subject;
ALTER TABLE forensic_marks ALTER COLUMN recipient_id SET NOT NULL;
ALTER TABLE forensic_marks ALTER COLUMN share_id SET NOT NULL;
ALTER TABLE shares DROP COLUMN preview_kbps;
`,
    );
  },
};

/** Runs a script one statement at a time (the embedded database prepares each statement). */
async function statements(knex: Knex, script: string): Promise<void> {
  for (const statement of script.split(';').map((s) => s.trim())) {
    if (statement) await knex.raw(statement);
  }
}
