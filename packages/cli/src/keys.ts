import { readFile } from 'node:fs/promises';
import { parseKey, WatermarkError, type WatermarkKey } from '@vaultmark/watermark';

/** Reads and parses a key file; a malformed key names the file in its `invalid_key` message. */
export async function loadKey(path: string): Promise<WatermarkKey> {
  const text = await readFile(path, 'utf8');
  try {
    return parseKey(text);
  } catch (error) {
    if (error instanceof WatermarkError) {
      throw new WatermarkError(error.code, `${path}: ${error.message}`);
    }
    throw error;
  }
}
