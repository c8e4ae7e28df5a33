import type { Tx } from '../db/transactions.js';

/**
 * Every payload the organization has issued, by watermark key id: the forensic mapping of every
 * copy that left the vault (recipients, guests, members; kept after a share or track is deleted).
 * The detector matches copies too damaged to decode against these (docs/watermark.md, "Copies
 * too damaged to decode"), so a voice-message-quality leak still names its recipient.
 */
export async function issuedPayloads(tx: Tx): Promise<Record<string, string[]>> {
  const rows: Array<{ key_id: string; payload: string }> = await tx('forensic_marks')
    .orderBy(['key_id', 'payload'])
    .select('key_id', 'payload');
  const byKey: Record<string, string[]> = {};
  // Only what the detector searches for (128-bit payloads, 32 hex digits).
  for (const r of rows) {
    if (!/^[0-9a-f]{32}$/i.test(r.payload)) continue;
    const list = byKey[r.key_id] ?? [];
    list.push(r.payload);
    byKey[r.key_id] = list;
  }
  return byKey;
}
